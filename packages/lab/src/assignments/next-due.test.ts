import { myAssignment } from '../testing/my-assignment';
import { nextDue } from './next-due';

const now = new Date('2026-11-28T12:00:00Z');
const assignment = myAssignment;
const receipt = {
  snapshot: 'hw0_2026-11-27',
  takenAt: '2026-11-27T17:00:02.000Z',
  files: 3,
  bytes: 10,
  manifestSha256: 'ab'.repeat(32),
  lateBySeconds: null,
};

describe('nextDue', () => {
  it('names the soonest due time still to come, with the time left, the extension and the latest receipt', () => {
    const summary = nextDue(
      [
        assignment('hw0', '2026-11-27T17:00:00Z', { status: 'captured', receipt }),
        assignment('hw2', '2026-12-05T17:00:00Z'),
        assignment('hw1', '2026-11-29T09:30:00Z', { extended: true }),
      ],
      now,
      (iso) => `at ${iso}`,
    );
    expect(summary).toEqual({
      text: 'hw1 due in 21 h 30 min',
      description:
        'HW1 (Demo 101) is due 2026-11-29 09:30 (UTC), with your extension: in 21 h 30 min. 1 more after it. Last capture: HW0, at 2026-11-27T17:00:02.000Z, 3 files (receipt abababababab…).',
      soon: true,
    });
  });

  it('says when nothing is due any more', () => {
    expect(nextDue([assignment('hw0', '2026-11-27T17:00:00Z')], now)).toEqual({
      text: 'No upcoming due dates',
      description: 'No upcoming due dates.',
      soon: false,
    });
    expect(nextDue([], now).text).toBe('No upcoming due dates');
    expect(nextDue([assignment('far', '2026-12-28T12:00:00Z')], now)).toMatchObject({ text: 'far due in 30 d', soon: false });
  });
});
