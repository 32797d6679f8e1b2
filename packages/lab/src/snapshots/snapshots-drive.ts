/**
 * `CourseworkSnapshots`: students' snapshots as a read-only drive, `<student>/<snapshot>/<path in the snapshot>`.
 * The root lists the course's students, a student their snapshots, a snapshot the folders and files of its
 * manifest. Snapshots never change, so their manifests are read once.
 */
import type { ManifestEntry, SnapshotSummary } from '@coursework/client';
import type { Contents, ServerConnection } from '@jupyterlab/services';
import type { ServiceConnection } from '../common/connection';
import { directoryModel, joinPath, NO_DATE } from '../common/models';
import { ReadOnlyDrive } from '../common/readonly-drive';
import { notFound, treeModel } from '../common/tree-model';
import { segmentsOf, type TreeFile } from '../common/tree';

export const SNAPSHOTS_DRIVE_NAME = 'CourseworkSnapshots';

export interface SnapshotsDriveOptions {
  connection: ServiceConnection;
  serverSettings: ServerConnection.ISettings;
  /** Items per request when following the service's pages. */
  pageSize?: number;
}

interface Snapshot {
  takenAt: string;
  files: TreeFile[];
}

export class SnapshotsDrive extends ReadOnlyDrive {
  constructor(options: SnapshotsDriveOptions) {
    super(SNAPSHOTS_DRIVE_NAME, options.serverSettings);
    this.connection = options.connection;
    this.pageSize = options.pageSize ?? 200;
  }

  async get(localPath: string, options?: Contents.IFetchOptions): Promise<Contents.IModel> {
    const [student, snapshot, ...rest] = segmentsOf(localPath);
    const withContent = !!options?.content;
    if (student === undefined) {
      const students = withContent ? await this.connection.client.allStudents(this.pageSize) : [];
      // A folder's time is its newest snapshot's; a student without one shows no time (not the epoch).
      const times = students.map((s) => s.latestSnapshotAt ?? NO_DATE);
      const latest = times.reduce((date, time) => (time > date ? time : date), NO_DATE);
      return directoryModel('', latest, withContent ? students.map((s, i) => directoryModel(s.name, times[i]!)) : undefined);
    }
    if (snapshot === undefined) {
      const snapshots = await this.snapshotsOf(student);
      const latest = snapshots.reduce((date, s) => (s.takenAt > date ? s.takenAt : date), NO_DATE);
      const children = snapshots.map((s) => directoryModel(joinPath(student, s.name), s.takenAt));
      return directoryModel(student, latest, withContent ? children : undefined);
    }
    const { takenAt, files } = await this.snapshot(student, snapshot);
    const location = { rootPath: joinPath(student, snapshot), lastModified: takenAt, files, segments: rest };
    return treeModel(location, options, (file) => this.bytesOf(this.connection.client.snapshotFileUrl(student, snapshot, file.path)));
  }

  /** A `blob:` URL of the bytes (a file) or of the zip (a snapshot): the service needs the page's token. */
  async getDownloadUrl(localPath: string): Promise<string> {
    const [student, snapshot, ...rest] = segmentsOf(localPath);
    if (student === undefined || snapshot === undefined) throw new Error('Only files and whole snapshots can be downloaded');
    const { client } = this.connection;
    const url = rest.length === 0 ? client.snapshotZipUrl(student, snapshot) : client.snapshotFileUrl(student, snapshot, rest.join('/'));
    return client.downloadLink(url);
  }

  /** Every snapshot of a student, following the pages. */
  private async snapshotsOf(student: string): Promise<SnapshotSummary[]> {
    const all: SnapshotSummary[] = [];
    for (let offset = 0; ; offset += this.pageSize) {
      const page = await this.connection.client.studentSnapshots(student, { offset, limit: this.pageSize });
      all.push(...page);
      if (page.length < this.pageSize) return all;
    }
  }

  private snapshot(student: string, snapshot: string): Promise<Snapshot> {
    const key = `${student}/${snapshot}`;
    let cached = this.snapshots.get(key);
    if (!cached) {
      cached = this.readSnapshot(student, snapshot);
      this.snapshots.set(key, cached);
      // A failed read (the service was down, the snapshot was deleted) is not remembered.
      cached.catch(() => this.snapshots.delete(key));
    }
    return cached;
  }

  private async readSnapshot(student: string, snapshot: string): Promise<Snapshot> {
    const { client } = this.connection;
    const detail = await client.studentSnapshot(student, snapshot).catch((error: unknown) => {
      throw (error as { status?: number }).status === 404 ? notFound(joinPath(student, snapshot)) : error;
    });
    const entries: ManifestEntry[] = [];
    for (let offset = 0; ; offset += this.pageSize) {
      const page = await client.snapshotFiles(student, snapshot, { offset, limit: this.pageSize });
      entries.push(...page);
      if (page.length < this.pageSize) break;
    }
    return { takenAt: detail.takenAt, files: entries.map((e) => ({ path: e.path, size: e.size, lastModified: e.mtime })) };
  }

  private async bytesOf(url: string): Promise<Uint8Array> {
    return new Uint8Array(await (await this.connection.fetchBlob(url)).arrayBuffer());
  }

  private readonly connection: ServiceConnection;
  private readonly pageSize: number;
  private readonly snapshots = new Map<string, Promise<Snapshot>>();
}
