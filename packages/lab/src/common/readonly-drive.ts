/**
 * The part every Coursework drive shares: they only read, so each write rejects with a message that says so, and
 * there are no checkpoints.
 */
import type { Contents, ServerConnection } from '@jupyterlab/services';
import { type ISignal, Signal } from '@lumino/signaling';

export class ReadOnlyError extends Error {
  override name = 'ReadOnlyError';
  constructor(driveName: string, action: string) {
    super(`${driveName} is read-only: cannot ${action}`);
  }
}

export abstract class ReadOnlyDrive implements Contents.IDrive {
  constructor(
    readonly name: string,
    readonly serverSettings: ServerConnection.ISettings,
  ) {}

  abstract get(localPath: string, options?: Contents.IFetchOptions): Promise<Contents.IModel>;
  abstract getDownloadUrl(localPath: string): Promise<string>;

  /** Never emits: nothing changes through this drive. */
  get fileChanged(): ISignal<Contents.IDrive, Contents.IChangedArgs> {
    return this.changed;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Signal.clearData(this);
  }

  newUntitled(): Promise<Contents.IModel> {
    return this.refuse('create files');
  }

  delete(localPath: string): Promise<void> {
    return this.refuse(`delete ${localPath}`);
  }

  rename(oldLocalPath: string): Promise<Contents.IModel> {
    return this.refuse(`rename ${oldLocalPath}`);
  }

  save(localPath: string): Promise<Contents.IModel> {
    return this.refuse(`save ${localPath}`);
  }

  copy(localPath: string): Promise<Contents.IModel> {
    return this.refuse(`copy ${localPath} within it`);
  }

  createCheckpoint(localPath: string): Promise<Contents.ICheckpointModel> {
    return this.refuse(`create a checkpoint of ${localPath}`);
  }

  listCheckpoints(): Promise<Contents.ICheckpointModel[]> {
    return Promise.resolve([]);
  }

  restoreCheckpoint(localPath: string): Promise<void> {
    return this.refuse(`restore a checkpoint of ${localPath}`);
  }

  deleteCheckpoint(localPath: string): Promise<void> {
    return this.refuse(`delete a checkpoint of ${localPath}`);
  }

  private refuse<T>(action: string): Promise<T> {
    return Promise.reject(new ReadOnlyError(this.name, action));
  }

  private readonly changed = new Signal<Contents.IDrive, Contents.IChangedArgs>(this);
  private disposed = false;
}
