import { GroupMembersCache } from '../hub/group-cache';
import { createLogger } from '../log';
import { Roster } from './roster';

/** A Hub whose students group the test changes, counting how often it is asked. */
function fakeHub(members: string[] | null) {
  const hub = {
    members,
    calls: 0,
    groupMembers: async (group: string) => {
      hub.calls++;
      return group === 'students' ? hub.members : null;
    },
  };
  return hub;
}

function rosterOn(hub: ReturnType<typeof fakeHub>, kept: string[] = []) {
  const clock = { now: 0 };
  const groups = new GroupMembersCache(hub, { ttlMs: 60_000, now: () => clock.now });
  const warnings: Array<{ group: string; msg: string }> = [];
  const log = createLogger('warn', { write: (line: string) => void warnings.push(JSON.parse(line)) });
  return { roster: new Roster(groups, 'students', log, async () => kept), groups, clock, warnings };
}

describe('the roster', () => {
  it("lists the students group's members and the kept roster's students, sorted, each once", async () => {
    const { roster } = rosterOn(fakeHub(['cat', 'ann']), ['bob', 'ann']);
    expect(await roster.studentNames()).toEqual(['ann', 'bob', 'cat']);
  });

  it('counts a student of the kept roster who is in no group', async () => {
    const { roster } = rosterOn(fakeHub(['ann']), ['bob']);
    expect(await roster.includes('bob')).toBe(true);
    expect(await roster.includes('ann')).toBe(true);
    expect(await roster.includes('zed')).toBe(false);
  });

  it("asks the Hub through the service's shared group cache: one request for the roster and the role checks", async () => {
    const hub = fakeHub(['ann']);
    const { roster, groups } = rosterOn(hub);
    await roster.studentNames();
    await roster.includes('ann');
    expect(await groups.includes('students', 'ann')).toBe(true);
    expect(hub.calls).toBe(1);
  });

  it('finds a student just added to the group, asking again at most every 2 s', async () => {
    const hub = fakeHub(['ann']);
    const { roster, clock } = rosterOn(hub);
    expect(await roster.studentNames()).toEqual(['ann']);
    hub.members = ['ann', 'bob'];
    clock.now = 10;
    expect(await roster.studentNames()).toEqual(['ann']); // kept
    clock.now = 2500;
    expect(await roster.includes('bob')).toBe(true); // a miss asks again
    expect(hub.calls).toBe(2);
    clock.now = 3000;
    expect(await roster.includes('zed')).toBe(false);
    expect(hub.calls).toBe(2); // a miss right after asking reuses the answer
  });

  it('gives whole-course work the current roster, unless it was fetched a moment ago', async () => {
    const hub = fakeHub(['ann']);
    const { roster, clock } = rosterOn(hub);
    expect(await roster.current()).toEqual(['ann']);
    hub.members = ['ann', 'bob'];
    expect(await roster.current()).toEqual(['ann']);
    clock.now = 5000;
    expect(await roster.current()).toEqual(['ann', 'bob']);
    expect(hub.calls).toBe(2);
  });

  it('counts a missing students group as empty, and says so once until it exists again', async () => {
    const hub = fakeHub(null);
    const { roster, clock, warnings } = rosterOn(hub, ['bob']);
    expect(await roster.studentNames()).toEqual(['bob']);
    clock.now = 70_000;
    expect(await roster.studentNames()).toEqual(['bob']);
    expect(hub.calls).toBe(2);
    expect(warnings).toEqual([expect.objectContaining({ group: 'students', msg: 'the students group does not exist on the Hub' })]);
    hub.members = ['ann'];
    clock.now = 140_000;
    expect(await roster.studentNames()).toEqual(['ann', 'bob']);
    hub.members = null;
    clock.now = 210_000;
    await roster.studentNames();
    expect(warnings).toHaveLength(2);
  });
});
