/**
 * `Feedback`: the caller's released feedback as a read-only drive, `<assignment>/<path>`. The root lists the
 * assignments; each is the tree of its files. A student with feedback from several courses sees a folder per
 * course first, `<course>/<assignment>/<path>`. Every listing of the root is also reported through `rootListed`,
 * so that the Feedback section can say "nothing yet" or "unavailable" without asking the service again.
 */
import type { MyFeedbackAssignment } from '@coursework/client';
import type { Contents, ServerConnection } from '@jupyterlab/services';
import { type ISignal, Signal } from '@lumino/signaling';
import type { ServiceConnection } from '../common/connection';
import { directoryModel, NO_DATE } from '../common/models';
import { ReadOnlyDrive } from '../common/readonly-drive';
import { notFound, treeModel } from '../common/tree-model';
import { filesBelow, resolveNode, segmentsOf, type TreeFile } from '../common/tree';

export const FEEDBACK_DRIVE_NAME = 'Feedback';

export type RootListing = { ok: true; assignments: MyFeedbackAssignment[] } | { ok: false; error: unknown };

/** What a path of the drive names: one file, or a folder (an assignment or a folder of one) and the files below it. */
export interface FeedbackItem {
  kind: 'file' | 'directory';
  /** The id of the assignment's course. */
  course: string;
  assignment: string;
  /** The item's path within its assignment ('' for the assignment itself). */
  path: string;
  /** Its files' paths within the assignment, as `bytesOf` takes them: the file itself, or every file below the folder. */
  files: string[];
}

export interface FeedbackDriveOptions {
  connection: ServiceConnection;
  serverSettings: ServerConnection.ISettings;
}

export class FeedbackDrive extends ReadOnlyDrive {
  constructor(options: FeedbackDriveOptions) {
    super(FEEDBACK_DRIVE_NAME, options.serverSettings);
    this.connection = options.connection;
  }

  /** Emits after each attempt to read the list of assignments. */
  get rootListed(): ISignal<this, RootListing> {
    return this.listed;
  }

  /** Reads the list of assignments (and reports it through `rootListed`). */
  async assignments(): Promise<MyFeedbackAssignment[]> {
    try {
      const { items } = await this.connection.client.myFeedback();
      this.listed.emit({ ok: true, assignments: items });
      return items;
    } catch (error) {
      this.listed.emit({ ok: false, error });
      throw error;
    }
  }

  async get(localPath: string, options?: Contents.IFetchOptions): Promise<Contents.IModel> {
    const place = locate(segmentsOf(localPath), await this.assignments());
    if (place.kind === 'folder') {
      const children = place.entries.map((entry) => directoryModel(entry.path, entry.lastModified));
      return directoryModel(place.path, NO_DATE, options?.content ? children : undefined);
    }
    const { found, rootPath, rest } = place;
    const location = { rootPath, lastModified: found.releasedAt, files: filesOf(found), segments: rest };
    return treeModel(location, options, (file) => this.bytesOf(found.course.id, found.assignment, file.path));
  }

  /** A `blob:` URL of the file's bytes: the service needs the page's token, which a plain link does not carry. */
  async getDownloadUrl(localPath: string): Promise<string> {
    const place = locate(segmentsOf(localPath), await this.assignments());
    if (place.kind === 'folder' || place.rest.length === 0) throw new Error('Only files can be downloaded');
    const { found, rest } = place;
    return this.connection.client.downloadLink(this.connection.client.myFeedbackFileUrl(found.assignment, rest.join('/'), found.course.id));
  }

  /** What `localPath` names, from one listing of the feedback (the root, and a course's folder, name no item). */
  async itemAt(localPath: string): Promise<FeedbackItem> {
    const place = locate(segmentsOf(localPath), await this.assignments());
    if (place.kind === 'folder') throw new Error('The list of assignments is not an item of feedback');
    const { found, rest } = place;
    const files = filesOf(found);
    const node = resolveNode(files, rest);
    if (!node) throw notFound(localPath);
    const path = rest.join('/');
    const { assignment } = found;
    const course = found.course.id;
    return node.kind === 'file'
      ? { kind: 'file', course, assignment, path, files: [path] }
      : { kind: 'directory', course, assignment, path, files: filesBelow(files, rest) };
  }

  /** The bytes of a feedback file, e.g. to copy it into the user's home. */
  async bytesOf(course: string, assignment: string, path: string): Promise<Uint8Array> {
    const blob = await this.connection.fetchBlob(this.connection.client.myFeedbackFileUrl(assignment, path, course));
    return new Uint8Array(await blob.arrayBuffer());
  }

  private readonly connection: ServiceConnection;
  private readonly listed = new Signal<this, RootListing>(this);
}

/** Where a path of the drive leads: a folder of folders (the root, a course), or into one assignment's files. */
type Place =
  | { kind: 'folder'; path: string; entries: { path: string; lastModified: string }[] }
  | { kind: 'assignment'; found: MyFeedbackAssignment; rootPath: string; rest: string[] };

/** Whether the listing spans several courses, and so has a folder per course above the assignments. */
export function byCourse(assignments: readonly MyFeedbackAssignment[]): boolean {
  return new Set(assignments.map((a) => a.course.id)).size > 1;
}

function locate(segments: string[], assignments: MyFeedbackAssignment[]): Place {
  const grouped = byCourse(assignments);
  const [first, second, ...more] = segments;
  const latest = (items: MyFeedbackAssignment[]) => items.reduce((at, a) => (a.releasedAt > at ? a.releasedAt : at), NO_DATE);
  if (first === undefined) {
    if (!grouped)
      return { kind: 'folder', path: '', entries: assignments.map((a) => ({ path: a.assignment, lastModified: a.releasedAt })) };
    const courses = [...new Set(assignments.map((a) => a.course.id))];
    const entries = courses.map((id) => ({ path: id, lastModified: latest(assignments.filter((a) => a.course.id === id)) }));
    return { kind: 'folder', path: '', entries };
  }
  if (!grouped) {
    const found = assignments.find((a) => a.assignment === first);
    if (!found) throw notFound(first);
    return { kind: 'assignment', found, rootPath: first, rest: second === undefined ? [] : [second, ...more] };
  }
  const inCourse = assignments.filter((a) => a.course.id === first);
  if (inCourse.length === 0) throw notFound(first);
  if (second === undefined) {
    const entries = inCourse.map((a) => ({ path: `${first}/${a.assignment}`, lastModified: a.releasedAt }));
    return { kind: 'folder', path: first, entries };
  }
  const found = inCourse.find((a) => a.assignment === second);
  if (!found) throw notFound(`${first}/${second}`);
  return { kind: 'assignment', found, rootPath: `${first}/${second}`, rest: more };
}

function filesOf(assignment: MyFeedbackAssignment): TreeFile[] {
  return assignment.files.map((f) => ({ path: f.path, size: f.size, lastModified: f.releasedAt }));
}
