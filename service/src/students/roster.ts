/**
 * The course's students: the members of its Hub group (looked up with the service's token) and the students of the
 * roster Coursework keeps for it, kept briefly.
 */
import type { HubClient } from '../hub/client';
import { MISS_REFRESH_MS } from '../hub/group-cache';
import type { Logger } from '../log';

export class Roster {
  private cached: { names: string[]; until: number; at: number } | undefined;

  constructor(
    private readonly hub: Pick<HubClient, 'groupMembers'>,
    private readonly studentsGroup: string,
    private readonly ttlMs: number,
    private readonly log: Logger,
    private readonly kept: () => Promise<string[]> = async () => [],
    private readonly now: () => number = Date.now,
  ) {}

  /** Sorted user names of the students group and the roster kept here; the group counts as empty (with a warning) when it does not exist. */
  async studentNames(): Promise<string[]> {
    if (this.cached && this.cached.until > this.now()) return this.cached.names;
    const members = await this.hub.groupMembers(this.studentsGroup);
    if (members === null) {
      this.log.warn({ group: this.studentsGroup }, 'the students group does not exist on the Hub');
    }
    const names = [...new Set([...(members ?? []), ...(await this.kept())])].sort();
    this.cached = { names, until: this.now() + this.ttlMs, at: this.now() };
    return names;
  }

  /**
   * The roster as the Hub has it now (unless it was just fetched): for work on the whole course, which must not
   * miss a student added to the group a moment ago.
   */
  async current(): Promise<string[]> {
    if (this.cached && this.now() - this.cached.at >= MISS_REFRESH_MS) this.cached = undefined;
    return this.studentNames();
  }

  /**
   * Whether the user is a student. A name the cached roster lacks is looked up again (a student just added to
   * the group is not refused for the cache's lifetime); repeated misses reuse the answer briefly.
   */
  async includes(name: string): Promise<boolean> {
    if ((await this.studentNames()).includes(name)) return true;
    if (this.cached && this.now() - this.cached.at < MISS_REFRESH_MS) return false;
    this.cached = undefined;
    return (await this.studentNames()).includes(name);
  }
}
