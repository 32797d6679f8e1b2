/**
 * Runs of a task per key, where a run serves only the callers that came before it began (an fsync of a folder
 * covers the entries made in it before the call). A caller arriving while a run is under way waits for the next
 * one, which every such caller shares: however many callers, at most one run is under way and one waits, per key.
 */
export class CoalescedRuns<K> {
  private readonly states = new Map<K, { running: Promise<void>; next: Promise<void> | undefined }>();

  constructor(private readonly task: (key: K) => Promise<void>) {}

  run(key: K): Promise<void> {
    const state = this.states.get(key);
    if (state === undefined) {
      const fresh = { running: Promise.resolve(), next: undefined };
      this.states.set(key, fresh);
      return this.start(key, fresh);
    }
    state.next ??= state.running.then(ignore, ignore).then(() => {
      state.next = undefined;
      return this.start(key, state);
    });
    return state.next;
  }

  private start(key: K, state: { running: Promise<void>; next: Promise<void> | undefined }): Promise<void> {
    const running = this.task(key);
    state.running = running;
    // Forgotten once done, unless a caller is waiting for the next run (which then takes its place).
    running.then(ignore, ignore).then(() => {
      if (state.running === running && state.next === undefined) this.states.delete(key);
    });
    return running;
  }
}

function ignore(): void {}
