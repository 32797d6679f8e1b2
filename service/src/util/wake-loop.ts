/**
 * A background pass that runs when kicked and by itself when it asks to: one pass at a time (a kick during a
 * pass makes it run once more right after), then a sleep until the time the last pass returned, at most
 * `longestMs`, so that work missed by a kick (or by a restart) is still done.
 */
export interface WakeLoopOptions {
  /** The longest sleep between passes. */
  longestMs: number;
  /** Added to a requested wake time, so the pass finds its work due rather than a hair early. */
  marginMs: number;
  now: () => Date;
}

export class WakeLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  /** `pass` does the work and returns when (epoch ms) it wants to run next; undefined: after `longestMs`. */
  constructor(
    private readonly pass: () => Promise<number | undefined>,
    private readonly options: WakeLoopOptions,
  ) {}

  start(): void {
    this.stopped = false;
    void this.kick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Runs a pass now (or once more after the one under way); resolves when it is done. */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let wake: number | undefined;
      do {
        this.again = false;
        wake = await this.pass();
      } while (this.again);
      this.sleepUntil(wake);
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private sleepUntil(wake: number | undefined): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const { longestMs, marginMs, now } = this.options;
    const wait = wake === undefined ? longestMs : Math.max(0, Math.min(longestMs, wake - now().getTime() + marginMs));
    this.timer = setTimeout(() => void this.kick(), wait);
    this.timer.unref();
  }
}
