/**
 * nbgrader's exchange on Coursework's model: its courses and rosters are Coursework's, a released assignment's files
 * and a submission's are in the blob store (a submission also a snapshot of the student), and its feedback is
 * Coursework's feedback (what the Feedback section shows, what the panel releases). Knows nothing of HTTP: the
 * ngshare routes (http/compat/ngshare.ts) parse requests, call one of these and answer.
 */
import type { BlobStore } from '../blobs/blob-store';
import type { Catalog } from '../catalog/catalog';
import { GroupCommit } from '../catalog/group-commit';
import type { ExchangeFile } from '../catalog/schema';
import type { CourseRecord, Courses } from '../courses/courses';
import type { CourseSpaces } from '../courses/spaces';
import type { HubIdentity } from '../hub/client';
import { assertAllowedExtension, assertFeedbackPath, assertHubUserName } from '../names';
import { ConflictError } from '../util/conflict';
import { InvalidInputError, naming } from '../util/invalid-input';
import { NotFoundError } from '../util/not-found';
import { ExchangeProfiles, type Profile } from './profiles';
import { ExchangeReleases } from './releases';
import { ExchangeSubmissions, type Submission } from './submissions';
import { md5Of, type UploadedFile, type WireFile, wireFile, wireTimestamp } from './wire';

export interface Member extends Profile {
  username: string;
}

export interface StudentRow extends Profile {
  username: string;
}

export interface ExchangeLimits {
  /** Feedback's own limits apply to feedback released through the exchange too. */
  feedbackExtensions: readonly string[];
  feedbackMaxFileBytes: number;
}

type MemberKind = 'instructor' | 'student';

export class Exchange {
  private readonly commits: GroupCommit;

  constructor(
    private readonly catalog: Catalog,
    private readonly blobs: BlobStore,
    private readonly courses: Courses,
    private readonly spaces: CourseSpaces,
    private readonly limits: ExchangeLimits,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.commits = new GroupCommit(catalog);
  }

  private releases(course: CourseRecord) {
    return new ExchangeReleases(this.catalog, course.id);
  }

  private submissions(course: CourseRecord) {
    return new ExchangeSubmissions(this.catalog, course.id, this.spaces.of(course).timeZone, this.commits);
  }

  private profiles(course: CourseRecord) {
    return new ExchangeProfiles(this.catalog, course.id);
  }

  // --- courses -------------------------------------------------------------------------------------------------

  /** The ids of the courses the caller takes or teaches (course admins: every course). */
  async courseIds(identity: HubIdentity): Promise<string[]> {
    return (await this.courses.coursesOf(identity)).map(({ course }) => course.id).sort();
  }

  /** Creates a course with its instructors on the roster kept here (and the creator, as for every new course). */
  async createCourse(id: string, instructors: string[], creator: HubIdentity): Promise<void> {
    for (const user of instructors) naming('instructors', () => assertHubUserName(user));
    const course = await this.courses.create({ id }, creator);
    for (const user of instructors) await this.courses.putMember(course, user, { role: 'instructor' }, creator.name);
  }

  /** Deletes a course (its data stays in the catalog; the course answers 410 from then on). */
  async deleteCourse(id: string, by: string): Promise<void> {
    const course = await this.courses.find(id);
    if (!course || course.deletedAt) throw new NotFoundError('Course not found');
    await this.courses.delete(course, by, course.id);
    this.spaces.forget(course.id);
  }

  // --- instructors and students --------------------------------------------------------------------------------

  /** The course's members with that role (from its Hub groups and the roster kept here), with their profiles. */
  async members(course: CourseRecord, kind: MemberKind): Promise<Member[]> {
    const users = (await this.courses.roster(course)).filter((entry) => entry.roles.includes(kind)).map((entry) => entry.user);
    const profiles = await this.profiles(course).of(users);
    return users.map((username) => ({ username, ...profiles.get(username)! }));
  }

  async member(course: CourseRecord, kind: MemberKind, user: string): Promise<Member> {
    if (!(await this.courses.rosterRolesOf(course, user)).includes(kind)) {
      throw new NotFoundError(kind === 'instructor' ? 'Instructor not found' : 'Student not found');
    }
    return { username: user, ...(await this.profiles(course).of([user])).get(user)! };
  }

  /** Adds (or updates) an instructor or a student on the roster kept here, with their profile. */
  async putMember(course: CourseRecord, kind: MemberKind, user: string, profile: Profile, by: string): Promise<void> {
    const instructors = kind === 'student' ? await this.instructorsOf(course) : new Set<string>();
    await this.putChecked(course, kind, user, profile, by, instructors);
  }

  private async instructorsOf(course: CourseRecord): Promise<Set<string>> {
    return new Set((await this.courses.roster(course)).filter((entry) => entry.roles.includes('instructor')).map((entry) => entry.user));
  }

  private async putChecked(course: CourseRecord, kind: MemberKind, user: string, profile: Profile, by: string, instructors: Set<string>) {
    naming('user', () => assertHubUserName(user));
    if (kind === 'student' && instructors.has(user)) throw new ConflictError('Cannot add instructor as student');
    await this.courses.putMember(course, user, { role: kind }, by);
    await this.profiles(course).put(user, { first_name: profile.first_name, last_name: profile.last_name, email: profile.email });
  }

  /** Adds many students; a row that fails says why and the others go on. */
  async addStudents(
    course: CourseRecord,
    rows: StudentRow[],
    by: string,
  ): Promise<{ username: string; success: boolean; message?: string }[]> {
    const results = [];
    const instructors = await this.instructorsOf(course);
    for (const row of rows) {
      try {
        await this.putChecked(course, 'student', row.username, row, by, instructors);
        results.push({ username: row.username, success: true });
      } catch (error) {
        if (!(error instanceof InvalidInputError || error instanceof ConflictError)) throw error;
        results.push({ username: row.username, success: false, message: error.message });
      }
    }
    return results;
  }

  /** Takes a member off the roster kept here; one who is a member through a Hub group stays one. */
  async removeMember(course: CourseRecord, kind: MemberKind, user: string, by: string): Promise<void> {
    const member = await this.member(course, kind, user);
    if (!(await this.courses.removeMember(course, member.username, by))) {
      const group = kind === 'instructor' ? course.groups.instructors : course.groups.students;
      throw new ConflictError(`${user} is in the course through the Hub group ${group}: remove them from the group`);
    }
  }

  // --- assignments ---------------------------------------------------------------------------------------------

  async assignments(course: CourseRecord): Promise<string[]> {
    return this.releases(course).assignments();
  }

  /** A released assignment's files, with their contents unless `listOnly`. */
  async fetchAssignment(course: CourseRecord, assignment: string, listOnly: boolean): Promise<WireFile[]> {
    const release = await this.releases(course).get(assignment);
    if (!release) throw new NotFoundError('Assignment not found');
    return this.wireFiles(release.files, listOnly);
  }

  async releaseAssignment(course: CourseRecord, assignment: string, files: UploadedFile[], by: string): Promise<void> {
    if (await this.releases(course).get(assignment)) throw new ConflictError('Assignment already exists');
    const stored = await this.store(files);
    if (!(await this.releases(course).add(assignment, stored, by, this.now()))) throw new ConflictError('Assignment already exists');
  }

  /** Takes a release back; the submissions stay (nbgrader's `release_assignment --force` re-releases this way). */
  async unreleaseAssignment(course: CourseRecord, assignment: string, by: string): Promise<void> {
    if (!(await this.releases(course).remove(assignment, by, this.now()))) throw new NotFoundError('Assignment not found');
  }

  // --- submissions ---------------------------------------------------------------------------------------------

  /** Every submission of the assignment (of one member when named: a student or instructor of the course). */
  async submissionList(course: CourseRecord, assignment: string, user?: string): Promise<{ student_id: string; timestamp: string }[]> {
    if (user !== undefined) {
      const roles = await this.courses.rosterRolesOf(course, user);
      if (!roles.includes('student') && !roles.includes('instructor')) throw new NotFoundError('Student not found');
    }
    return (await this.submissions(course).list(assignment, user)).map((s) => ({ student_id: s.student, timestamp: s.timestamp }));
  }

  /** Stores a submission of a released assignment; answers its timestamp. */
  async submit(course: CourseRecord, assignment: string, student: string, files: UploadedFile[]): Promise<Submission> {
    if (!(await this.releases(course).get(assignment))) throw new NotFoundError('Assignment not found');
    const stored = await this.store(files);
    const at = this.now();
    const micros = BigInt(at.getTime()) * 1000n + ((process.hrtime.bigint() / 1000n) % 1000n);
    return this.submissions(course).add({
      student,
      assignment,
      timestamp: wireTimestamp(micros),
      at,
      files: stored,
      dueAt: await this.dueAtOf(course, assignment, student),
    });
  }

  /** The student's due time (with an extension) when the assignment has one in Coursework. */
  private async dueAtOf(course: CourseRecord, assignment: string, student: string): Promise<string | null> {
    const found = await this.spaces.of(course).assignments.store.get(assignment);
    if (!found) return null;
    return found.extensions.find((extension) => extension.student === student)?.dueAt ?? found.dueAt;
  }

  /** One submission (the latest unless `timestamp` names one, exactly as it was given out). */
  async submission(
    course: CourseRecord,
    assignment: string,
    student: string,
    timestamp: string | undefined,
    listOnly: boolean,
  ): Promise<{ files: WireFile[]; timestamp: string }> {
    const found = await this.submissions(course).get(assignment, student, timestamp);
    if (!found) throw new NotFoundError('Submission not found');
    return { files: await this.wireFiles(found.files, listOnly), timestamp: found.timestamp };
  }

  // --- feedback ------------------------------------------------------------------------------------------------

  /**
   * Releases feedback on a student's submission as Coursework feedback on the assignment: the student sees it in
   * the Feedback section at once, and fetches it with nbgrader. A file of the same path replaces the earlier one.
   */
  async releaseFeedback(course: CourseRecord, assignment: string, student: string, timestamp: string, files: UploadedFile[], by: string) {
    if (!(await this.submissions(course).get(assignment, student, timestamp))) throw new NotFoundError('Submission not found');
    for (const file of files) {
      naming('Illegal path', () => assertFeedbackPath(file.path));
      naming('files', () => assertAllowedExtension(file.path, this.limits.feedbackExtensions));
      if (file.bytes.length > this.limits.feedbackMaxFileBytes) {
        throw new InvalidInputError(`${file.path} is larger than the feedback limit of ${this.limits.feedbackMaxFileBytes} bytes`);
      }
    }
    await this.spaces.of(course).feedback.release(student, assignment, files, { by });
  }

  /**
   * The feedback on a student's assignment, shown under their latest submission (nbgrader asks per submission; the
   * feedback released for an earlier one is the assignment's all the same). A student sees what is released.
   */
  async feedback(
    course: CourseRecord,
    assignment: string,
    student: string,
    timestamp: string,
    options: { listOnly: boolean; asStudent: boolean },
  ): Promise<WireFile[]> {
    const submissions = this.submissions(course);
    const asked = await submissions.get(assignment, student, timestamp);
    if (!asked) throw new NotFoundError('Submission not found');
    const latest = await submissions.get(assignment, student);
    if (latest?.timestamp !== timestamp) return [];
    const store = this.spaces.of(course).feedback.store;
    const files = options.asStudent
      ? ((await store.visible(student)).items.find((item) => item.assignment === assignment)?.files ?? [])
      : ((await store.detail(student, assignment))?.files ?? []);
    const result: WireFile[] = [];
    for (const file of files) {
      const bytes = this.read(file.sha256);
      result.push(wireFile(file.path, md5Of(bytes), options.listOnly ? undefined : bytes));
    }
    return result;
  }

  // --- bytes ---------------------------------------------------------------------------------------------------

  /** Stores uploaded files (content-addressed: bytes the store holds already add nothing). */
  private async store(files: UploadedFile[]): Promise<ExchangeFile[]> {
    const stored: ExchangeFile[] = [];
    for (const file of files) {
      const storing = this.blobs.storeBuffer(file.bytes);
      const md5 = md5Of(file.bytes); // while the store syncs the file
      const { sha256, size } = await storing;
      stored.push({ path: file.path, sha256, size, md5 });
    }
    return stored;
  }

  private async wireFiles(files: readonly ExchangeFile[], listOnly: boolean): Promise<WireFile[]> {
    const result: WireFile[] = [];
    for (const file of files) result.push(wireFile(file.path, file.md5, listOnly ? undefined : this.read(file.sha256)));
    return result;
  }

  /** A blob's bytes, checked against its name before they are sent. */
  private read(sha256: string): Buffer {
    return this.blobs.readVerifiedSync(sha256);
  }
}
