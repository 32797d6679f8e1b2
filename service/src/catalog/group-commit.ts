/**
 * Group commit: row writes that arrive while another batch commits share the next transaction. Should one of
 * them fail, the batch rolls back and each of its writes runs again in a transaction of its own, so only the
 * failing one fails (failures are rare: a full disk, a constraint; the common path pays for no savepoints).
 *
 * Why: a whole-course re-snapshot writes a few rows per student and little else. One transaction per student
 * makes every commit rewrite the same B-tree pages into the WAL (several pages per student, and the checkpoints
 * that follow); a few dozen students per commit cut the catalog's share of a re-snapshot by more than half.
 *
 * `BatchCommit` hands the writer the whole batch, so that it can write many rows in one statement (one round
 * trip to PostgreSQL for a batch rather than one per row); `GroupCommit` runs a function per write.
 */
import type { Transaction } from 'kysely';
import type { Catalog } from './catalog';
import type { CatalogSchema } from './schema';

export type RowWork<T> = (trx: Transaction<CatalogSchema>) => Promise<T>;
/** Writes `items` in the transaction it is given; answers one result per item, in order. */
export type BatchWriter<I, R> = (trx: Transaction<CatalogSchema>, items: I[]) => Promise<R[]>;

interface Queued<I> {
  item: I;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Enough to amortise a commit; small enough that a batch never holds the catalog for long. */
const MAX_BATCH = 64;

export class BatchCommit<I, R> {
  private queue: Queued<I>[] = [];
  private draining = false;

  constructor(
    private readonly db: Catalog,
    private readonly write: BatchWriter<I, R>,
  ) {}

  /**
   * Writes `item` in a transaction shared with other writers; resolves once it has committed. The writer may see
   * the item twice (alone, after its batch rolled back), so it must only write through the transaction it is given.
   */
  run(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve: resolve as (value: unknown) => void, reject });
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
        const values = await this.db.transaction().execute((trx) =>
          this.write(
            trx,
            batch.map((queued) => queued.item),
          ),
        );
        batch.forEach((queued, i) => queued.resolve(values[i]));
      } catch (error) {
        if (batch.length === 1) batch[0]!.reject(error);
        else {
          for (const queued of batch) {
            await this.db
              .transaction()
              .execute((trx) => this.write(trx, [queued.item]))
              .then((values) => queued.resolve(values[0]), queued.reject);
          }
        }
      }
    }
    this.draining = false;
  }
}

export class GroupCommit {
  private readonly batches: BatchCommit<RowWork<unknown>, unknown>;

  constructor(db: Catalog) {
    this.batches = new BatchCommit(db, async (trx, works) => {
      const results: unknown[] = [];
      for (const work of works) results.push(await work(trx));
      return results;
    });
  }

  /**
   * Runs `work` in a transaction shared with other writers; resolves once it has committed. `work` may run a
   * second time (alone, after its batch rolled back), so it must only write through the transaction it is given.
   */
  run<T>(work: RowWork<T>): Promise<T> {
    return this.batches.run(work) as Promise<T>;
  }
}
