/**
 * Work refused because the caller already has as much of it under way as a limit allows: the HTTP layer answers
 * 429 with `Retry-After`, instead of piling the work up.
 */
export class BusyError extends Error {
  override name = 'BusyError';
  constructor(
    message: string,
    /** When it is worth asking again. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Counts, per caller, the units of one kind of work under way, up to a limit. */
export class PerCallerLimit {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly refusal: (max: number) => BusyError,
  ) {}

  /** Takes a unit for `caller`, or throws BusyError; the returned function gives it back (once). */
  take(caller: string): () => void {
    const count = this.counts.get(caller) ?? 0;
    if (count >= this.max) throw this.refusal(this.max);
    this.counts.set(caller, count + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (this.counts.get(caller) ?? 1) - 1;
      if (left > 0) this.counts.set(caller, left);
      else this.counts.delete(caller);
    };
  }
}
