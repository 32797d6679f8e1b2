/**
 * Caller tokens resolved through the Hub, remembered for a bounded time in a bounded cache.
 *
 * Keys are SHA-256 digests of the tokens, so a heap dump or a debug log never shows a token. Concurrent look-ups of
 * the same token share one request to the Hub. Rejections are not cached: a token the Hub refuses is asked about
 * again next time (a freshly issued token must work at once).
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { HubIdentity } from './client';

export interface IdentityResolver {
  identify(token: string): Promise<HubIdentity | null>;
}

export interface IdentityCacheOptions {
  ttlSeconds: number;
  maxEntries: number;
  /** Told of each lookup: answered from the cache (a hit), or asked of the Hub (a miss). */
  onLookup?: (result: 'hit' | 'miss') => void;
}

export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class IdentityCache implements IdentityResolver {
  private readonly cache: LRUCache<string, HubIdentity>;
  private readonly inFlight = new Map<string, Promise<HubIdentity | null>>();
  private readonly onLookup: (result: 'hit' | 'miss') => void;

  constructor(
    private readonly hub: IdentityResolver,
    options: IdentityCacheOptions,
  ) {
    this.onLookup = options.onLookup ?? (() => undefined);
    this.cache = new LRUCache({ max: options.maxEntries, ttl: options.ttlSeconds * 1000, ttlAutopurge: false });
  }

  async identify(token: string): Promise<HubIdentity | null> {
    const key = tokenKey(token);
    const cached = this.cache.get(key);
    if (cached) {
      this.onLookup('hit');
      return cached;
    }
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    this.onLookup('miss');
    const lookup = this.hub
      .identify(token)
      .then((identity) => {
        if (identity) this.cache.set(key, identity);
        return identity;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }

  /** Forgets a token at once (on logout). */
  forget(token: string): void {
    this.cache.delete(tokenKey(token));
  }

  get size(): number {
    return this.cache.size;
  }
}
