import type { ManifestEntry } from '@coursework/client';
import { ManifestCache } from './manifest-cache';

const manifestOf = (files: number): string =>
  JSON.stringify(
    Array.from({ length: files }, (_, i): ManifestEntry => ({
      path: `f${i}`,
      type: 'file',
      size: i,
      mtime: '2026-11-01T00:00:00.000Z',
      mode: 0o644,
      sha256: 'a'.repeat(64),
    })),
  );

/** Reads through the cache, counting the reads of the manifest's text. */
function reader(cache: ManifestCache) {
  const reads: string[] = [];
  const read = (digest: string, files: number) =>
    cache.get(digest, async () => {
      reads.push(digest);
      return manifestOf(files);
    });
  return { reads, read };
}

describe('the manifest cache', () => {
  it('parses a manifest once while it holds it', async () => {
    const { reads, read } = reader(new ManifestCache(100));
    const first = await read('m1', 10);
    expect(first).toHaveLength(10);
    expect(await read('m1', 10)).toBe(first);
    expect(reads).toEqual(['m1']);
  });

  it('holds at most its bound of file entries, letting the least recently used go first', async () => {
    const cache = new ManifestCache(25);
    const { reads, read } = reader(cache);
    await read('m1', 10);
    await read('m2', 10);
    await read('m1', 10); // m1 is now the more recent
    await read('m3', 10); // 30 > 25: m2 goes
    expect(cache.size).toBe(20);
    await read('m1', 10);
    await read('m3', 10);
    await read('m2', 10);
    expect(reads).toEqual(['m1', 'm2', 'm3', 'm2']);
    expect(cache.size).toBeLessThanOrEqual(25);
  });

  it('keeps no manifest larger than its bound, and counts an empty one as one entry', async () => {
    const cache = new ManifestCache(3);
    const { reads, read } = reader(cache);
    expect(await read('big', 5)).toHaveLength(5);
    expect(cache.size).toBe(0);
    for (const digest of ['e1', 'e2', 'e3', 'e4']) await read(digest, 0);
    expect(cache.size).toBe(3);
    await read('e1', 0);
    expect(reads).toEqual(['big', 'e1', 'e2', 'e3', 'e4', 'e1']);
  });

  it('answers nothing, and keeps nothing, when the text is gone (a snapshot deleted meanwhile)', async () => {
    const cache = new ManifestCache(10);
    expect(await cache.get('gone', async () => undefined)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('with a bound of 0 keeps nothing', async () => {
    const { reads, read } = reader(new ManifestCache(0));
    await read('m1', 1);
    await read('m1', 1);
    expect(reads).toEqual(['m1', 'm1']);
  });
});
