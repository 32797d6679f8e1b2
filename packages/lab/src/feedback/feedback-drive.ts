/**
 * `Feedback`: the caller's released feedback as a read-only drive, `<assignment>/<path>`. The root lists the
 * assignments; each is the tree of its files. Every listing of the root is also reported through `rootListed`,
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
    const [assignment, ...rest] = segmentsOf(localPath);
    const assignments = await this.assignments();
    if (assignment === undefined) {
      const children = assignments.map((a) => directoryModel(a.assignment, a.releasedAt));
      return directoryModel('', NO_DATE, options?.content ? children : undefined);
    }
    const found = assignments.find((a) => a.assignment === assignment);
    if (!found) throw notFound(assignment);
    const location = { rootPath: assignment, lastModified: found.releasedAt, files: filesOf(found), segments: rest };
    return treeModel(location, options, (file) => this.bytesOf(assignment, file.path));
  }

  /** A `blob:` URL of the file's bytes: the service needs the page's token, which a plain link does not carry. */
  async getDownloadUrl(localPath: string): Promise<string> {
    const [assignment, ...rest] = segmentsOf(localPath);
    if (assignment === undefined || rest.length === 0) throw new Error('Only files can be downloaded');
    return this.connection.client.downloadLink(this.connection.client.myFeedbackFileUrl(assignment, rest.join('/')));
  }

  /** What `localPath` names, from one listing of the feedback (the root names no item). */
  async itemAt(localPath: string): Promise<FeedbackItem> {
    const [assignment, ...rest] = segmentsOf(localPath);
    if (assignment === undefined) throw new Error('The list of assignments is not an item of feedback');
    const found = (await this.assignments()).find((a) => a.assignment === assignment);
    const files = found ? filesOf(found) : [];
    const node = found ? resolveNode(files, rest) : null;
    if (!node) throw notFound(localPath);
    const path = rest.join('/');
    return node.kind === 'file'
      ? { kind: 'file', assignment, path, files: [path] }
      : { kind: 'directory', assignment, path, files: filesBelow(files, rest) };
  }

  /** The bytes of a feedback file, e.g. to copy it into the user's home. */
  async bytesOf(assignment: string, path: string): Promise<Uint8Array> {
    const blob = await this.connection.fetchBlob(this.connection.client.myFeedbackFileUrl(assignment, path));
    return new Uint8Array(await blob.arrayBuffer());
  }

  private readonly connection: ServiceConnection;
  private readonly listed = new Signal<this, RootListing>(this);
}

function filesOf(assignment: MyFeedbackAssignment): TreeFile[] {
  return assignment.files.map((f) => ({ path: f.path, size: f.size, lastModified: f.releasedAt }));
}
