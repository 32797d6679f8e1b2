/**
 * The course's students: the members of its Hub group (through the service's shared group cache) and the students
 * of the roster Coursework keeps for it.
 */
import { type GroupLookups, MISS_REFRESH_MS } from '../hub/group-cache';
import type { Logger } from '../log';

export class Roster {
  /** Whether the missing group was already reported, so that a log is not filled with it on every request. */
  private toldGroupMissing = false;

  constructor(
    private readonly groups: GroupLookups,
    private readonly studentsGroup: string,
    private readonly log: Logger,
    private readonly kept: () => Promise<string[]> = async () => [],
  ) {}

  /**
   * Sorted user names of the students group and the roster kept here; the group counts as empty (with a warning)
   * when it does not exist.
   */
  async studentNames(maxAgeMs?: number): Promise<string[]> {
    const members = await this.groups.groupMembers(this.studentsGroup, maxAgeMs);
    if (members === null && !this.toldGroupMissing) {
      this.log.warn({ group: this.studentsGroup }, 'the students group does not exist on the Hub');
    }
    this.toldGroupMissing = members === null;
    return [...new Set([...(members ?? []), ...(await this.kept())])].sort();
  }

  /**
   * The roster as the Hub has it now (unless it was just fetched): for work on the whole course, which must not
   * miss a student added to the group a moment ago.
   */
  current(): Promise<string[]> {
    return this.studentNames(MISS_REFRESH_MS);
  }

  /**
   * Whether the user is a student. A name the group's kept answer lacks is looked up again (a student just added to
   * the group is not refused for the cache's lifetime).
   */
  async includes(name: string): Promise<boolean> {
    return (await this.groups.includes(this.studentsGroup, name)) || (await this.kept()).includes(name);
  }
}
