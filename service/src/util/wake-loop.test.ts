import { WakeLoop, type WakeLoopOptions } from './wake-loop';

/** A loop whose pass is the given function. */
function loopOf(pass: () => Promise<number | undefined>, options: WakeLoopOptions): WakeLoop {
  return new (class extends WakeLoop {
    protected override pass = pass;
  })(options);
}

describe('the wake loop', () => {
  it('runs one pass at a time: kicks during a pass make one more pass, not one each', async () => {
    let passes = 0;
    let release: () => void = () => undefined;
    const loop = loopOf(
      async () => {
        passes++;
        if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
        return undefined;
      },
      { longestMs: 60_000, marginMs: 0, now: () => new Date() },
    );
    const first = loop.kick();
    const second = loop.kick();
    const third = loop.kick();
    release();
    await Promise.all([first, second, third]);
    expect(passes).toBe(2);
    loop.stop();
  });

  it('wakes by itself at the time the pass asked for, and not once stopped', async () => {
    jest.useFakeTimers();
    try {
      const start = Date.now();
      let passes = 0;
      const loop = loopOf(async () => (++passes === 1 ? start + 5_000 : undefined), {
        longestMs: 60_000,
        marginMs: 10,
        now: () => new Date(),
      });
      loop.start();
      await jest.advanceTimersByTimeAsync(4_000);
      expect(passes).toBe(1);
      await jest.advanceTimersByTimeAsync(1_100);
      expect(passes).toBe(2);
      loop.stop();
      await jest.advanceTimersByTimeAsync(120_000);
      expect(passes).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('tries a failed pass again soon, then less often while it keeps failing, and tells of each failure', async () => {
    jest.useFakeTimers();
    try {
      let passes = 0;
      const errors: unknown[] = [];
      const loop = loopOf(
        async () => {
          passes++;
          if (passes <= 3) throw new Error(`catalog away ${passes}`);
          return undefined;
        },
        { longestMs: 60_000, marginMs: 0, now: () => new Date(), retryMs: 1_000, onError: (error) => errors.push(error) },
      );
      loop.start();
      // After failures 1 s, then 2 s, then (once it works) the longest sleep: [ms to advance, passes by then].
      const steps = [
        [0, 1],
        [1_000, 2],
        [1_900, 2],
        [100, 3],
        [4_000, 4],
        [59_000, 4],
        [1_000, 5],
      ] as const;
      for (const [ms, expected] of steps) {
        await jest.advanceTimersByTimeAsync(ms);
        expect(passes).toBe(expected);
      }
      expect((errors as Error[]).map((e) => e.message)).toEqual(['catalog away 1', 'catalog away 2', 'catalog away 3']);
      loop.stop();
    } finally {
      jest.useRealTimers();
    }
  });
});
