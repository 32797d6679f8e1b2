/**
 * A background pass that runs when kicked and by itself when it asks to: one pass at a time (a kick during a
 * pass makes it run once more right after), then a sleep until the time the last pass returned, at most
 * `longestMs`, so that work missed by a kick (or by a restart) is still done. A pass that fails (the catalog away
 * for a moment) is tried again soon, then less and less often while it keeps failing. The background workers (the
 * capture scheduler, feedback delivery) extend it with their pass.
 */
export interface WakeLoopOptions {
  /** The longest sleep between passes. */
  longestMs: number;
  /** Added to a requested wake time, so the pass finds its work due rather than a hair early. */
  marginMs: number;
  now: () => Date;
  /** The wait after a pass that failed, doubled after each failure in a row, at most `longestMs` (default 1 s). */
  retryMs?: number;
  /** Told of each pass that failed. */
  onError?: (error: unknown) => void;
}

export abstract class WakeLoop {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;
  #failures = 0;
  readonly #options: WakeLoopOptions;

  constructor(options: WakeLoopOptions) {
    this.#options = options;
  }

  /** Does the work; returns when (epoch ms) it wants to run next, or undefined: after `longestMs`. */
  protected abstract pass(): Promise<number | undefined>;

  start(): void {
    this.#stopped = false;
    void this.kick();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  /** Runs a pass now (or once more after the one under way); resolves when it is done. */
  kick(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      let wake: number | undefined;
      do {
        this.#again = false;
        wake = await this.#passOnce();
      } while (this.#again);
      this.#sleepUntil(wake);
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #passOnce(): Promise<number | undefined> {
    try {
      const wake = await this.pass();
      this.#failures = 0;
      return wake;
    } catch (error) {
      this.#options.onError?.(error);
      const { longestMs, retryMs = 1000, now } = this.#options;
      return now().getTime() + Math.min(longestMs, retryMs * 2 ** this.#failures++);
    }
  }

  #sleepUntil(wake: number | undefined): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    const { longestMs, marginMs, now } = this.#options;
    const wait = wake === undefined ? longestMs : Math.max(0, Math.min(longestMs, wake - now().getTime() + marginMs));
    this.#timer = setTimeout(() => void this.kick(), wait);
    this.#timer.unref();
  }
}
