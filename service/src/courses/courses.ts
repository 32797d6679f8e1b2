/**
 * Courses and their rosters: creating, changing and deleting courses, the roster Coursework keeps beside the Hub
 * groups, and the roles a caller holds in each course (decided by access/policy from those two sources).
 */
import { type CourseGroups as PolicyGroups, isCourseAdmin, type Role, rolesIn } from '../access/policy';
import { recordAudit } from '../audit/audit';
import type { Catalog } from '../catalog/catalog';
import { type Course, type DeclaredCourse, type GroupPatterns, isTimeZone } from '../config';
import { FeedbackStore } from '../feedback/store';
import type { HubIdentity } from '../hub/client';
import { type GroupLookups, MISS_REFRESH_MS } from '../hub/group-cache';
import { AssignmentStore } from '../assignments/store';
import { assertCaptureFolder, assertCourseId, assertHubUserName } from '../names';
import { SnapshotQueries } from '../snapshots/queries';
import { ConflictError } from '../util/conflict';
import { InvalidInputError, naming } from '../util/invalid-input';
import { parseCsv } from './csv';
import { type MemberRole, MemberStore } from './members';
import { type CourseCapture, type CourseGroups, type CourseRecord, CourseStore, NO_CAPTURE_SETTINGS } from './store';

export type { CourseCapture, CourseRecord };

export const MEMBER_ROLES: readonly MemberRole[] = ['instructor', 'grader', 'student'];
/** Most rows one bulk roster request may carry. */
export const MAX_BULK_ROWS = 10_000;

export interface CourseWithRoles {
  course: CourseRecord;
  roles: Role[];
}

/** The course's Hub groups that give a role, with that role. */
function groupsOf(course: CourseRecord): [MemberRole, string][] {
  const groups: [MemberRole, string | null][] = [
    ['instructor', course.groups.instructors],
    ['grader', course.groups.graders],
    ['student', course.groups.students],
  ];
  return groups.filter((entry): entry is [MemberRole, string] => entry[1] !== null);
}

/** Where a roster entry comes from: a Hub group of the course, or the roster kept by Coursework. */
export type RosterSource =
  { role: MemberRole; from: 'group'; group: string } | { role: MemberRole; from: 'coursework'; addedBy: string; addedAt: string };

export interface RosterEntry {
  user: string;
  roles: MemberRole[];
  sources: RosterSource[];
}

export type BulkRowStatus = 'added' | 'updated' | 'unchanged' | 'error';

export interface BulkRowResult {
  /** 1-based, as a spreadsheet numbers its rows (the CSV header is row 1 when there is one). */
  row: number;
  user: string | null;
  role: MemberRole | null;
  status: BulkRowStatus;
  message?: string;
}

export interface CourseDefaults {
  /** The course the settings name: always present, never deleted, its title and groups set by the settings. */
  configured: Course;
  groupPatterns: GroupPatterns;
}

function asText(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new InvalidInputError(`${what} must be a non-empty string of at most ${max} characters`);
  }
  return value.trim();
}

function asTimeZone(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !isTimeZone(value))
    throw new InvalidInputError('timeZone must be an IANA time zone such as Europe/Paris, or null');
  return value;
}

function asGroup(value: unknown, what: string): string {
  return asText(value, what, 255);
}

/** `capture` of a request: each part given replaces the course's, null restores the service's default. */
function asCapture(value: unknown, current: CourseCapture): CourseCapture {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError('capture must be an object: {"folder"?, "exclude"?, "includeHidden"?}');
  }
  const given = value as Record<string, unknown>;
  const unknown = Object.keys(given).filter((key) => !['folder', 'exclude', 'includeHidden'].includes(key));
  if (unknown.length > 0) throw new InvalidInputError(`capture has no ${unknown.join(', ')} (folder, exclude, includeHidden)`);
  const capture = { ...current };
  if (given.folder !== undefined) {
    if (given.folder !== null) naming('capture.folder', () => assertCaptureFolder(given.folder));
    capture.folder = given.folder as string | null;
  }
  if (given.exclude !== undefined) {
    const list = given.exclude;
    if (
      list !== null &&
      (!Array.isArray(list) || list.length > 1000 || !list.every((p) => typeof p === 'string' && p.length > 0 && p.length <= 1000))
    ) {
      throw new InvalidInputError('capture.exclude must be a list of glob patterns (at most 1000), or null');
    }
    capture.exclude = list as string[] | null;
  }
  if (given.includeHidden !== undefined) {
    if (given.includeHidden !== null && typeof given.includeHidden !== 'boolean')
      throw new InvalidInputError('capture.includeHidden must be true, false or null');
    capture.includeHidden = given.includeHidden as boolean | null;
  }
  return capture;
}

function asRole(value: unknown): MemberRole {
  if (typeof value !== 'string' || !(MEMBER_ROLES as readonly string[]).includes(value)) {
    throw new InvalidInputError(`role must be one of ${MEMBER_ROLES.join(', ')}`);
  }
  return value as MemberRole;
}

const policyGroups = (groups: CourseGroups): PolicyGroups => groups;

export class Courses {
  private readonly store: CourseStore;
  private readonly members: MemberStore;

  constructor(
    private readonly db: Catalog,
    private readonly groups: GroupLookups,
    private readonly defaults: CourseDefaults,
  ) {
    this.store = new CourseStore(db);
    this.members = new MemberStore(db);
  }

  get defaultId(): string {
    return this.defaults.configured.id;
  }

  /** The course, deleted or not; undefined when there is none with this id. */
  find(id: string): Promise<CourseRecord | undefined> {
    return this.store.get(id);
  }

  /** The courses not deleted, by id. */
  list(): Promise<CourseRecord[]> {
    return this.store.list();
  }

  /** The roles `identity` holds in `course`. */
  async rolesOf(course: CourseRecord, identity: HubIdentity): Promise<Role[]> {
    const kept = identity.kind === 'user' ? await this.members.roleOf(course.id, identity.name) : undefined;
    return rolesIn(identity, policyGroups(course.groups), kept);
  }

  /** The courses `identity` has a role in (course admins: every course), with those roles. */
  async coursesOf(identity: HubIdentity): Promise<CourseWithRoles[]> {
    const kept = new Map(identity.kind === 'user' ? (await this.members.coursesOf(identity.name)).map((m) => [m.course, m.role]) : []);
    const admin = isCourseAdmin(identity);
    return (await this.store.list())
      .map((course) => ({ course, roles: rolesIn(identity, policyGroups(course.groups), kept.get(course.id)) }))
      .filter(({ roles }) => admin || roles.length > 0);
  }

  /** Creates a course from a request's body; the creator (a user) becomes its instructor on the roster kept here. */
  async create(body: unknown, creator: HubIdentity): Promise<CourseRecord> {
    const given = (body ?? {}) as Record<string, unknown>;
    const id = naming('id', () => {
      assertCourseId(given.id);
      return given.id;
    });
    const title = naming('title', () => asText(given.title ?? id, 'title', 200));
    const timeZone = given.timeZone === undefined ? null : asTimeZone(given.timeZone);
    const groups = this.groupsFrom(given.groups, id);
    const capture = given.capture === undefined ? NO_CAPTURE_SETTINGS : asCapture(given.capture, NO_CAPTURE_SETTINGS);
    if (!(await this.store.create({ id, title, timeZone, groups, capture }, creator.name))) {
      const existing = await this.store.get(id);
      throw new ConflictError(
        existing?.deletedAt
          ? `The course id ${id} belonged to a course deleted on ${existing.deletedAt}: choose another`
          : `A course ${id} exists already`,
      );
    }
    if (creator.kind === 'user') await this.members.put(id, creator.name, 'instructor', creator.name);
    await recordAudit(this.db, {
      courseId: id,
      actor: creator.name,
      action: 'course.created',
      target: id,
      detail: { title, timeZone, groups },
    });
    return (await this.store.get(id))!;
  }

  /**
   * Creates a course the settings declare (COURSEWORK_COURSES) unless one with its id exists or existed: from then
   * on it is managed through the API like any other.
   */
  async declare(declared: DeclaredCourse): Promise<'created' | 'exists' | 'deleted'> {
    const { id, title } = declared;
    const course = { id, title, timeZone: declared.timeZone ?? null, groups: this.groupsFrom(declared.groups, id) };
    if (await this.store.create(course, 'settings')) {
      await recordAudit(this.db, {
        courseId: id,
        actor: 'settings',
        action: 'course.created',
        target: id,
        detail: { title, groups: course.groups },
      });
      return 'created';
    }
    return (await this.store.get(id))?.deletedAt ? 'deleted' : 'exists';
  }

  private groupsFrom(value: unknown, id: string): CourseGroups {
    const pattern = this.defaults.groupPatterns;
    const named = (value ?? {}) as Record<string, unknown>;
    if (typeof named !== 'object' || Array.isArray(named)) throw new InvalidInputError('groups must be an object of group names');
    const pick = (key: keyof CourseGroups, fallback: string) =>
      named[key] === undefined ? fallback : naming(`groups.${key}`, () => asGroup(named[key], 'a group name'));
    return {
      instructors: pick('instructors', pattern.instructors.replaceAll('{course}', id)),
      graders: pick('graders', pattern.graders.replaceAll('{course}', id)),
      students: pick('students', pattern.students.replaceAll('{course}', id)),
    };
  }

  /** Changes a course's title, time zone or groups (the configured course's title and groups come from the settings). */
  async update(course: CourseRecord, body: unknown, by: string): Promise<CourseRecord> {
    const given = (body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(given).filter((key) => !['title', 'timeZone', 'groups', 'capture'].includes(key));
    if (unknown.length > 0) {
      throw new InvalidInputError(`unknown field(s): ${unknown.join(', ')} (a course has title, timeZone, groups and capture)`);
    }
    const configured = course.id === this.defaultId;
    if (configured && (given.title !== undefined || given.groups !== undefined)) {
      throw new InvalidInputError(
        "the default course's title and groups are set by the service's settings (COURSEWORK_COURSE_TITLE, COURSEWORK_*_GROUP)",
      );
    }
    await this.store.update(course.id, {
      ...(given.title !== undefined && { title: naming('title', () => asText(given.title, 'title', 200)) }),
      ...(given.timeZone !== undefined && { timeZone: asTimeZone(given.timeZone) }),
      ...(given.groups !== undefined && { groups: { ...course.groups, ...this.changedGroups(given.groups) } }),
      ...(given.capture !== undefined && { capture: asCapture(given.capture, course.capture) }),
    });
    const updated = (await this.store.get(course.id))!;
    const detail = { title: updated.title, timeZone: updated.timeZone, groups: updated.groups, capture: updated.capture };
    await recordAudit(this.db, { courseId: course.id, actor: by, action: 'course.updated', target: course.id, detail });
    return updated;
  }

  private changedGroups(value: unknown): Partial<CourseGroups> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new InvalidInputError('groups must be an object of group names');
    const changed: Partial<CourseGroups> = {};
    for (const [key, name] of Object.entries(value)) {
      if (key !== 'instructors' && key !== 'graders' && key !== 'students')
        throw new InvalidInputError(`groups has no ${key} (instructors, graders, students)`);
      changed[key] = naming(`groups.${key}`, () => asGroup(name, 'a group name'));
    }
    return changed;
  }

  /**
   * Deletes a course: refused while it holds data (snapshots, feedback, assignments, a roster) unless `confirm` is
   * its id. Its rows stay (the course answers 410 from then on); its blobs are collected as usual once unreferenced.
   */
  async delete(course: CourseRecord, by: string, confirm: string | undefined): Promise<void> {
    if (course.id === this.defaultId) {
      throw new ConflictError('The default course is the one the settings name (COURSEWORK_COURSE_ID): it cannot be deleted');
    }
    const held = await this.dataOf(course.id);
    const described = Object.entries(held)
      .filter(([, n]) => n > 0)
      .map(([what, n]) => `${n} ${what}`);
    if (described.length > 0 && confirm !== course.id) {
      throw new ConflictError(
        `The course ${course.id} holds ${described.join(', ')}: to delete it all the same, send confirm=${course.id}`,
      );
    }
    await this.store.markDeleted(course.id, by);
    await recordAudit(this.db, { courseId: course.id, actor: by, action: 'course.deleted', target: course.id, detail: held });
  }

  private async dataOf(id: string): Promise<Record<string, number>> {
    return {
      snapshots: await new SnapshotQueries(this.db, id).countLive(),
      'feedback files': await new FeedbackStore(this.db, id).countLive(),
      assignments: await new AssignmentStore(this.db, id, 'UTC').countLive(),
      'roster entries': await this.members.count(id),
    };
  }

  /** The roster: the members of the course's Hub groups and of the roster kept here, each saying where from. */
  async roster(course: CourseRecord): Promise<RosterEntry[]> {
    const entries = new Map<string, RosterEntry>();
    const add = (user: string, source: RosterSource) => {
      const entry = entries.get(user) ?? { user, roles: [], sources: [] };
      if (!entry.roles.includes(source.role)) entry.roles.push(source.role);
      entry.sources.push(source);
      entries.set(user, entry);
    };
    for (const [role, group] of groupsOf(course)) {
      // As the Hub has it now, give or take a moment: a roster is listed to be looked at, or acted on.
      for (const user of (await this.groups.groupMembers(group, MISS_REFRESH_MS)) ?? []) add(user, { role, from: 'group', group });
    }
    for (const member of await this.members.list(course.id)) {
      add(member.user, { role: member.role, from: 'coursework', addedBy: member.addedBy, addedAt: member.addedAt });
    }
    const order = (role: MemberRole) => MEMBER_ROLES.indexOf(role);
    return [...entries.values()]
      .map((entry) => ({ ...entry, roles: entry.roles.sort((a, b) => order(a) - order(b)) }))
      .sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  }

  /** One user's roles on the roster (as `roster` gives them), without building the whole roster. */
  async rosterRolesOf(course: CourseRecord, user: string): Promise<MemberRole[]> {
    const roles = new Set<MemberRole>();
    for (const [role, group] of groupsOf(course)) if (await this.groups.includes(group, user)) roles.add(role);
    const kept = await this.members.roleOf(course.id, user);
    if (kept) roles.add(kept);
    return MEMBER_ROLES.filter((role) => roles.has(role));
  }

  /** The students of the roster kept here (the Hub group's are the Roster's to look up). */
  async keptStudents(courseId: string): Promise<string[]> {
    return (await this.members.list(courseId)).filter((m) => m.role === 'student').map((m) => m.user);
  }

  async putMember(course: CourseRecord, user: string, body: unknown, by: string): Promise<'added' | 'updated' | 'unchanged'> {
    naming('user', () => assertHubUserName(user));
    const role = asRole(((body ?? {}) as { role?: unknown }).role ?? 'student');
    const outcome = await this.members.put(course.id, user, role, by);
    if (outcome !== 'unchanged') await this.auditRoster(course.id, by, user, { [outcome]: role });
    return outcome;
  }

  /** Removes a user from the roster kept here; false when they were not on it (group members stay members). */
  async removeMember(course: CourseRecord, user: string, by: string): Promise<boolean> {
    const removed = await this.members.remove(course.id, user);
    if (removed) await this.auditRoster(course.id, by, user, { removed: true });
    return removed;
  }

  private auditRoster(courseId: string, actor: string, target: string, detail: Record<string, unknown>): Promise<void> {
    return recordAudit(this.db, { courseId, actor, action: 'roster.changed', target, detail });
  }

  /**
   * Adds or changes many members, from CSV text (`user[,role]` per line, an optional header) or a JSON list of
   * `{user, role}`. Every row gets a status; a row that fails changes nothing and says why, and the others go on.
   */
  async addMembers(course: CourseRecord, input: { csv: string } | { rows: unknown }, by: string): Promise<BulkRowResult[]> {
    const rows = 'csv' in input ? this.rowsOfCsv(input.csv) : this.rowsOfJson(input.rows);
    if (rows.length > MAX_BULK_ROWS) throw new InvalidInputError(`at most ${MAX_BULK_ROWS} rows at once (got ${rows.length})`);
    const seen = new Map<string, number>();
    const results: BulkRowResult[] = [];
    for (const { row, user, role } of rows) {
      const result: BulkRowResult = { row, user: typeof user === 'string' ? user : null, role: null, status: 'error' };
      try {
        const name = naming('user', () => {
          assertHubUserName(user);
          return user;
        });
        result.role = asRole(role ?? 'student');
        const earlier = seen.get(name);
        if (earlier !== undefined) throw new InvalidInputError(`${name} is already on row ${earlier} of this list`);
        seen.set(name, row);
        result.status = await this.members.put(course.id, name, result.role, by);
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        result.message = error.message;
      }
      results.push(result);
    }
    const changed = results.filter((r) => r.status === 'added' || r.status === 'updated');
    if (changed.length > 0) {
      const detail = { rows: results.length, changed: changed.map((r) => ({ user: r.user, role: r.role, status: r.status })) };
      await this.auditRoster(course.id, by, `${changed.length} member(s)`, detail);
    }
    return results;
  }

  private rowsOfCsv(text: string): { row: number; user: unknown; role: unknown }[] {
    const table = parseCsv(text);
    const header = table[0]?.map((cell) => cell.trim().toLowerCase());
    const hasHeader = header !== undefined && ['user', 'username', 'name'].includes(header[0] ?? '');
    const roleColumn = hasHeader ? header.indexOf('role') : 1;
    return table.slice(hasHeader ? 1 : 0).map((cells, i) => ({
      row: i + (hasHeader ? 2 : 1),
      user: cells[0]?.trim(),
      role: roleColumn >= 0 && cells[roleColumn]?.trim() ? cells[roleColumn].trim().toLowerCase() : undefined,
    }));
  }

  private rowsOfJson(rows: unknown): { row: number; user: unknown; role: unknown }[] {
    if (!Array.isArray(rows)) throw new InvalidInputError('members must be a list of {"user": ..., "role": ...}');
    return rows.map((item, i) => {
      const given = (typeof item === 'object' && item !== null ? item : {}) as { user?: unknown; role?: unknown };
      return { row: i + 1, user: given.user, role: given.role };
    });
  }
}
