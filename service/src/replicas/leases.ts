/**
 * Named leases: work that one replica at a time may do (housekeeping, a course's feedback delivery). A replica
 * takes a lease that is free, lapsed or already its own, for a while; it lapses by itself if the replica dies,
 * so another replica carries on after at most that while. The only module that queries the `leases` table.
 */
import type { Catalog } from '../catalog/catalog';

export class Leases {
  constructor(
    private readonly db: Catalog,
    /** This replica (see Config.replica.id). */
    private readonly owner: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Takes (or renews) the lease `name` for `ms`; false when another replica holds it. */
  async acquire(name: string, ms: number): Promise<boolean> {
    const now = this.now();
    const until = new Date(now.getTime() + ms).toISOString();
    const result = await this.db
      .insertInto('leases')
      .values({ name, owner: this.owner, until })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ owner: this.owner, until })
          .where((eb) => eb.or([eb('leases.owner', '=', this.owner), eb('leases.until', '<', now.toISOString())])),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Gives the lease back at once (when the work is done), if this replica holds it. */
  async release(name: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('owner', '=', this.owner).execute();
  }
}
