import { createLogger } from '../log';
import { Roster } from './roster';

const course = { id: 'c', title: 'C', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' };

describe('the roster', () => {
  it('caches the group, but looks again for a name it lacks (at most every 2 s)', async () => {
    let members = ['ann'];
    let calls = 0;
    let clock = 0;
    const hub = { groupMembers: async () => (calls++, members) };
    const roster = new Roster(hub, course.studentsGroup, 60_000, createLogger('fatal'), undefined, () => clock);
    expect(await roster.studentNames()).toEqual(['ann']);
    members = ['ann', 'bob'];
    clock = 10;
    expect(await roster.studentNames()).toEqual(['ann']); // cached
    expect(await roster.includes('ann')).toBe(true);
    expect(calls).toBe(1);
    clock = 2500;
    expect(await roster.includes('bob')).toBe(true); // a miss refreshes
    expect(calls).toBe(2);
    clock = 3000;
    expect(await roster.includes('zed')).toBe(false);
    expect(await roster.includes('zed')).toBe(false);
    expect(calls).toBe(2); // misses right after a refresh reuse it
  });

  it('gives whole-course work the current roster, unless it was fetched a moment ago', async () => {
    let members = ['ann'];
    let calls = 0;
    let clock = 0;
    const roster = new Roster(
      { groupMembers: async () => (calls++, members) },
      course.studentsGroup,
      60_000,
      createLogger('fatal'),
      undefined,
      () => clock,
    );
    expect(await roster.current()).toEqual(['ann']);
    members = ['ann', 'bob'];
    expect(await roster.current()).toEqual(['ann']);
    clock = 5000;
    expect(await roster.current()).toEqual(['ann', 'bob']);
    expect(calls).toBe(2);
  });
});
