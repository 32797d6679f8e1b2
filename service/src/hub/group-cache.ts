/**
 * Members of the Hub's groups, looked up with the service's token and kept briefly. A course's roles come from its
 * groups, and they are read on many requests (nbgrader's list asks about each assignment in turn, every student's
 * Assignments tab does so again and again): each would otherwise ask the Hub once for every group of the course.
 * Concurrent lookups of one group share one request. A user missing from a kept answer makes the next check ask
 * again (at most every MISS_REFRESH_MS), so someone just added to a group is not refused for the whole lifetime.
 */
import { LRUCache } from 'lru-cache';
import type { HubClient } from './client';

/** How old a kept answer may be when a name is missing from it, or when a whole roster is listed. */
export const MISS_REFRESH_MS = 2000;

export interface GroupLookups {
  /** The group's members (null: no such group), at most `maxAgeMs` old. */
  groupMembers(group: string, maxAgeMs?: number): Promise<string[] | null>;
  /** Whether the user is in the group. */
  includes(group: string, user: string): Promise<boolean>;
}

export interface GroupCacheOptions {
  ttlMs: number;
  maxGroups?: number;
  now?: () => number;
}

interface Kept {
  members: string[] | null;
  at: number;
}

export class GroupMembersCache implements GroupLookups {
  private readonly kept: LRUCache<string, Kept>;
  private readonly inFlight = new Map<string, Promise<Kept>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly hub: Pick<HubClient, 'groupMembers'>,
    options: GroupCacheOptions,
  ) {
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
    this.kept = new LRUCache({ max: options.maxGroups ?? 1000 });
  }

  async groupMembers(group: string, maxAgeMs = this.ttlMs): Promise<string[] | null> {
    return (await this.lookup(group, maxAgeMs)).members;
  }

  async includes(group: string, user: string): Promise<boolean> {
    const kept = await this.lookup(group, this.ttlMs);
    if (kept.members?.includes(user)) return true;
    if (this.now() - kept.at < MISS_REFRESH_MS) return false;
    return (await this.lookup(group, MISS_REFRESH_MS)).members?.includes(user) ?? false;
  }

  private lookup(group: string, maxAgeMs: number): Promise<Kept> {
    const kept = this.kept.get(group);
    if (kept && this.now() - kept.at < Math.min(maxAgeMs, this.ttlMs)) return Promise.resolve(kept);
    let asking = this.inFlight.get(group);
    if (!asking) {
      const at = this.now();
      asking = this.hub
        .groupMembers(group)
        .then((members) => {
          const fresh = { members, at };
          this.kept.set(group, fresh);
          return fresh;
        })
        .finally(() => this.inFlight.delete(group));
      this.inFlight.set(group, asking);
    }
    return asking;
  }
}
