/**
 * Lookups that arrive in the same turn of the event loop, answered by one query per group: a whole-course job asks
 * for dozens of students' rows at once (its students in flight start together), and one query for all of them
 * costs one round trip to the catalog instead of dozens.
 */
export type FetchMany<V> = (group: string, keys: string[]) => Promise<Map<string, V>>;

interface Waiting<V> {
  key: string;
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}

export class LookupBatch<V> {
  private pending = new Map<string, Waiting<V>[]>();
  private scheduled = false;

  constructor(private readonly fetchMany: FetchMany<V>) {}

  /** The value of `key` in `group`, or undefined when the fetch found none. */
  get(group: string, key: string): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(group) ?? [];
      waiting.push({ key, resolve, reject });
      this.pending.set(group, waiting);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const groups = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const [group, waiting] of groups) {
      this.fetchMany(group, [...new Set(waiting.map((w) => w.key))]).then(
        (values) => waiting.forEach((w) => w.resolve(values.get(w.key))),
        (error: unknown) => waiting.forEach((w) => w.reject(error)),
      );
    }
  }
}
