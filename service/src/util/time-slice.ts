/**
 * Long work on the service's thread that lets the event loop in every few milliseconds, so that the other callers are
 * not held up for its whole length: a zip of thousands of small files, or a scan of homes when there are no scan
 * threads, reads them on this thread.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * How long a slice lasts: about what two ordinary requests take, so that beside a zip of many small files the requests
 * a turn starts (see http/turns.ts) keep most of each turn. A zip of large files waits on its reads and seldom reaches
 * a slice's end anyway.
 */
export const SLICE_MS = 1;

export class TimeSlices {
  private startedAt: number;

  constructor(
    private readonly sliceMs = SLICE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = now();
  }

  /** Resolves at once while the current slice lasts; once it is over, on the next turn of the event loop. */
  async pause(): Promise<void> {
    if (this.now() - this.startedAt < this.sliceMs) return;
    await nextTurn();
    this.startedAt = this.now();
  }
}
