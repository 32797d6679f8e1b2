import { GroupMembersCache, MISS_REFRESH_MS } from './group-cache';

/** A stand-in Hub whose groups can change, counting what it is asked. */
function hub(groups: Record<string, string[]>) {
  const asked: string[] = [];
  let answer: ((value: void) => void) | undefined;
  return {
    asked,
    groups,
    /** Holds the next answers until `release` is called. */
    hold() {
      const held = new Promise<void>((resolve) => (answer = resolve));
      return { held, release: () => answer?.() };
    },
    held: undefined as Promise<void> | undefined,
    async groupMembers(group: string): Promise<string[] | null> {
      asked.push(group);
      if (this.held) await this.held;
      return this.groups[group] ? [...this.groups[group]!] : null;
    },
  };
}

describe('the group members cache', () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => (clock = 1_000_000));

  it('asks the Hub once per group while its answer is fresh, and again after the lifetime', async () => {
    const stub = hub({ 'ds-students': ['ann', 'bo'] });
    const cache = new GroupMembersCache(stub, { ttlMs: 60_000, now });
    expect(await cache.groupMembers('ds-students')).toEqual(['ann', 'bo']);
    expect(await cache.includes('ds-students', 'bo')).toBe(true);
    clock += 59_000;
    expect(await cache.includes('ds-students', 'ann')).toBe(true);
    expect(stub.asked).toEqual(['ds-students']);
    clock += 2_000;
    await cache.includes('ds-students', 'ann');
    expect(stub.asked).toEqual(['ds-students', 'ds-students']);
  });

  it('asks again for a name missing from an answer older than a moment, so a user just added gets in', async () => {
    const stub = hub({ 'ds-students': ['ann'] });
    const cache = new GroupMembersCache(stub, { ttlMs: 60_000, now });
    expect(await cache.includes('ds-students', 'cy')).toBe(false);
    stub.groups['ds-students'] = ['ann', 'cy'];
    expect(await cache.includes('ds-students', 'cy')).toBe(false); // the answer is a moment old: not asked again
    expect(stub.asked).toHaveLength(1);
    clock += MISS_REFRESH_MS;
    expect(await cache.includes('ds-students', 'cy')).toBe(true);
    expect(stub.asked).toHaveLength(2);
  });

  it('lists a group no older than asked, and keeps a group the Hub does not have as none', async () => {
    const stub = hub({ 'ds-students': ['ann'] });
    const cache = new GroupMembersCache(stub, { ttlMs: 60_000, now });
    await cache.groupMembers('ds-students');
    clock += MISS_REFRESH_MS;
    stub.groups['ds-students'] = ['ann', 'bo'];
    expect(await cache.groupMembers('ds-students')).toEqual(['ann']);
    expect(await cache.groupMembers('ds-students', MISS_REFRESH_MS)).toEqual(['ann', 'bo']);
    expect(await cache.groupMembers('nope')).toBeNull();
    expect(await cache.includes('nope', 'ann')).toBe(false);
    expect(stub.asked.filter((group) => group === 'nope')).toHaveLength(1);
  });

  it('shares one request among concurrent lookups of a group', async () => {
    const stub = hub({ 'ds-students': ['ann'] });
    const { held, release } = stub.hold();
    stub.held = held;
    const cache = new GroupMembersCache(stub, { ttlMs: 60_000, now });
    const answers = Promise.all([
      cache.includes('ds-students', 'ann'),
      cache.groupMembers('ds-students'),
      cache.includes('ds-students', 'x'),
    ]);
    release();
    expect(await answers).toEqual([true, ['ann'], false]);
    expect(stub.asked).toEqual(['ds-students']);
  });

  it('does not keep a failed lookup', async () => {
    let fail = true;
    const cache = new GroupMembersCache(
      {
        groupMembers: async () => {
          if (fail) throw new Error('the Hub is down');
          return ['ann'];
        },
      },
      { ttlMs: 60_000, now },
    );
    await expect(cache.includes('g', 'ann')).rejects.toThrow('the Hub is down');
    fail = false;
    expect(await cache.includes('g', 'ann')).toBe(true);
  });
});
