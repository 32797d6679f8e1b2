/**
 * Group commit: row writes that arrive while another batch commits share the next transaction. Should one of
 * them fail, the batch rolls back and each of its writes runs again in a transaction of its own, so only the
 * failing one fails (failures are rare: a full disk, a constraint; the common path pays for no savepoints).
 *
 * Why: a whole-course re-snapshot writes a few rows per student and little else. One transaction per student
 * makes every commit rewrite the same B-tree pages into the WAL (several pages per student, and the checkpoints
 * that follow); a few dozen students per commit cut the catalog's share of a re-snapshot by more than half.
 */
import type { Transaction } from 'kysely';
import type { Catalog } from './catalog';
import type { CatalogSchema } from './schema';

export type RowWork<T> = (trx: Transaction<CatalogSchema>) => Promise<T>;

interface Queued {
  work: RowWork<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Enough to amortise a commit; small enough that a batch never holds the catalog for long. */
const MAX_BATCH = 64;

export class GroupCommit {
  private queue: Queued[] = [];
  private draining = false;

  constructor(private readonly db: Catalog) {}

  /**
   * Runs `work` in a transaction shared with other writers; resolves once it has committed. `work` may run a
   * second time (alone, after its batch rolled back), so it must only write through the transaction it is given.
   */
  run<T>(work: RowWork<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // Writers that arrive in the same turn of the event loop join the first batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        const values = await this.db.transaction().execute(async (trx) => {
          const results: unknown[] = [];
          for (const item of batch) results.push(await item.work(trx));
          return results;
        });
        batch.forEach((item, i) => item.resolve(values[i]));
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        else for (const item of batch) await this.db.transaction().execute(item.work).then(item.resolve, item.reject);
      }
    }
    this.draining = false;
  }
}
