import { LookupBatch } from './lookup-batch';

describe('batched lookups', () => {
  it('answers the lookups of one turn with one fetch per group, each with its own value', async () => {
    const fetches: [string, string[]][] = [];
    const batch = new LookupBatch<string>(async (group, keys) => {
      fetches.push([group, keys]);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, `${group}:${k}`]));
    });
    const answers = await Promise.all([
      batch.get('g1', 'a'),
      batch.get('g1', 'b'),
      batch.get('g2', 'a'),
      batch.get('g1', 'a'),
      batch.get('g1', 'missing'),
    ]);
    expect(answers).toEqual(['g1:a', 'g1:b', 'g2:a', 'g1:a', undefined]);
    expect(fetches).toEqual([
      ['g1', ['a', 'b', 'missing']],
      ['g2', ['a']],
    ]);
    expect(await batch.get('g1', 'c')).toBe('g1:c');
    expect(fetches).toHaveLength(3);
  });

  it('fails the lookups of a failed fetch only', async () => {
    const batch = new LookupBatch<string>(async (group, keys) => {
      if (group === 'bad') throw new Error('catalog down');
      return new Map(keys.map((k) => [k, k]));
    });
    const [good, bad] = await Promise.allSettled([batch.get('ok', 'a'), batch.get('bad', 'a')]);
    expect(good).toEqual({ status: 'fulfilled', value: 'a' });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('catalog down') });
  });
});
