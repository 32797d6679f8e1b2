import type { HubIdentity } from './client';
import { IdentityCache, tokenKey } from './identity-cache';

const alice: HubIdentity = { name: 'alice', kind: 'user', admin: false, groups: ['students'], scopes: ['access:services'] };

function countingHub(answer: (token: string) => HubIdentity | null) {
  const calls: string[] = [];
  return {
    calls,
    async identify(token: string) {
      calls.push(token);
      await new Promise((resolve) => setImmediate(resolve));
      return answer(token);
    },
  };
}

describe('IdentityCache', () => {
  it('asks the Hub once per token within the TTL', async () => {
    const hub = countingHub(() => alice);
    const cache = new IdentityCache(hub, { ttlSeconds: 60, maxEntries: 10 });
    expect(await cache.identify('t1')).toEqual(alice);
    expect(await cache.identify('t1')).toEqual(alice);
    expect(hub.calls).toEqual(['t1']);
  });

  it('asks again once the TTL has passed (a revoked token is refused after at most the TTL)', async () => {
    let revoked = false;
    const hub = countingHub(() => (revoked ? null : alice));
    const cache = new IdentityCache(hub, { ttlSeconds: 0.05, maxEntries: 10 });
    expect(await cache.identify('t1')).toEqual(alice);
    revoked = true;
    expect(await cache.identify('t1')).toEqual(alice); // still trusted within the TTL
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await cache.identify('t1')).toBeNull();
  });

  it('does not remember rejections', async () => {
    let valid = false;
    const hub = countingHub(() => (valid ? alice : null));
    const cache = new IdentityCache(hub, { ttlSeconds: 60, maxEntries: 10 });
    expect(await cache.identify('new')).toBeNull();
    valid = true;
    expect(await cache.identify('new')).toEqual(alice);
  });

  it('shares one Hub request between concurrent look-ups of a token', async () => {
    const hub = countingHub(() => alice);
    const cache = new IdentityCache(hub, { ttlSeconds: 60, maxEntries: 10 });
    await Promise.all([cache.identify('t'), cache.identify('t'), cache.identify('t')]);
    expect(hub.calls).toHaveLength(1);
  });

  it('is bounded, evicting the least recently used', async () => {
    const hub = countingHub(() => alice);
    const cache = new IdentityCache(hub, { ttlSeconds: 60, maxEntries: 2 });
    await cache.identify('a');
    await cache.identify('b');
    await cache.identify('c');
    expect(cache.size).toBe(2);
    await cache.identify('a');
    expect(hub.calls).toEqual(['a', 'b', 'c', 'a']);
  });

  it('forgets a token on request', async () => {
    const hub = countingHub(() => alice);
    const cache = new IdentityCache(hub, { ttlSeconds: 60, maxEntries: 10 });
    await cache.identify('t');
    cache.forget('t');
    await cache.identify('t');
    expect(hub.calls).toEqual(['t', 't']);
  });

  it('keys entries by a digest, never by the token', () => {
    expect(tokenKey('secret-token')).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenKey('secret-token')).not.toContain('secret');
  });
});
