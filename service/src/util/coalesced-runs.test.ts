import { CoalescedRuns } from './coalesced-runs';

/** A task whose runs finish when told to, recording when each began. */
function controlledTask() {
  const runs: { key: string; finish: (error?: Error) => void }[] = [];
  const task = (key: string) =>
    new Promise<void>((resolve, reject) => runs.push({ key, finish: (error) => (error ? reject(error) : resolve()) }));
  return { runs, task };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('coalesced runs', () => {
  it('makes a caller who arrives during a run wait for the next one, shared by all who arrive meanwhile', async () => {
    const { runs, task } = controlledTask();
    const coalesced = new CoalescedRuns(task);
    const done: string[] = [];
    const first = coalesced.run('aa').then(() => done.push('first'));
    const second = coalesced.run('aa').then(() => done.push('second'));
    const third = coalesced.run('aa').then(() => done.push('third'));
    expect(runs).toHaveLength(1);
    runs[0]!.finish();
    await first;
    await settled();
    expect(done).toEqual(['first']); // the others came after the first run began
    expect(runs).toHaveLength(2);
    const fourth = coalesced.run('aa').then(() => done.push('fourth')); // after the second run began
    runs[1]!.finish();
    await Promise.all([second, third]);
    await settled();
    expect(done).toEqual(['first', 'second', 'third']);
    expect(runs).toHaveLength(3);
    runs[2]!.finish();
    await fourth;
    expect(done).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('runs other keys side by side, and starts afresh once a key is idle', async () => {
    const { runs, task } = controlledTask();
    const coalesced = new CoalescedRuns(task);
    const a = coalesced.run('aa');
    const b = coalesced.run('bb');
    expect(runs.map((run) => run.key)).toEqual(['aa', 'bb']);
    runs.forEach((run) => run.finish());
    await Promise.all([a, b]);
    await settled();
    const again = coalesced.run('aa');
    expect(runs).toHaveLength(3); // not queued behind anything
    runs[2]!.finish();
    await again;
  });

  it('passes a failed run to its callers and still runs the next', async () => {
    const { runs, task } = controlledTask();
    const coalesced = new CoalescedRuns(task);
    const failing = coalesced.run('aa');
    const following = coalesced.run('aa');
    runs[0]!.finish(new Error('EIO'));
    await expect(failing).rejects.toThrow('EIO');
    await settled();
    runs[1]!.finish();
    await expect(following).resolves.toBeUndefined();
  });
});
