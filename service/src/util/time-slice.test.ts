import { TimeSlices } from './time-slice';

/** Whether a callback queued for the event loop's next turn ran before `work` ended. */
async function turnedDuring(work: () => Promise<void>): Promise<boolean> {
  let turned = false;
  const immediate = setImmediate(() => (turned = true));
  await work();
  clearImmediate(immediate);
  return turned;
}

describe('time slices', () => {
  it('goes on at once while the slice lasts, and lets the event loop turn once it is over', async () => {
    let clock = 0;
    const slices = new TimeSlices(5, () => clock);
    clock = 4;
    expect(await turnedDuring(() => slices.pause())).toBe(false);
    clock = 5;
    expect(await turnedDuring(() => slices.pause())).toBe(true);
    // A new slice began after the pause.
    clock = 9;
    expect(await turnedDuring(() => slices.pause())).toBe(false);
  });
});
