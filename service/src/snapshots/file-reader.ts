/**
 * Who reads a home's files into the blob store: the service's own thread, or a pool of worker threads.
 *
 * Reading means hashing every byte (SHA-256) and compressing new ones, which is CPU work; with small files it is
 * done with synchronous calls (see BlobStore.putBufferSync). Worker threads do that work on every core and keep
 * the service's event loop free for requests; the in-thread reader does it between other work (and is what the
 * unit tests run, since workers need the compiled code).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { BlobStore } from '../blobs/blob-store';
import { type ReadOutcome, storeLargeFile, storeSmallFileSync } from '../homes/read-file';
import type { WalkedFile } from '../homes/walk';

export interface ReadTask {
  absolutePath: string;
  expected: WalkedFile;
}

export interface ReadBatch {
  /** In the order of the tasks. */
  results: ReadOutcome[];
  /** New blob files and directories, to be made durable before a snapshot refers to them. */
  dirty: string[];
}

export interface FileReader {
  readAll(tasks: readonly ReadTask[]): Promise<ReadBatch>;
  close(): Promise<void>;
}

/** Files the synchronous path declined ('large') are streamed here, on the service's thread. */
async function finishLarge(blobs: BlobStore, tasks: readonly ReadTask[], results: (ReadOutcome | 'large')[]): Promise<ReadOutcome[]> {
  const finished: ReadOutcome[] = [];
  for (let i = 0; i < tasks.length; i++) {
    const result = results[i]!;
    finished.push(result === 'large' ? await storeLargeFile(tasks[i]!.absolutePath, tasks[i]!.expected, blobs) : result);
  }
  return finished;
}

export class InThreadReader implements FileReader {
  constructor(private readonly blobs: BlobStore) {}

  async readAll(tasks: readonly ReadTask[]): Promise<ReadBatch> {
    const dirty = new Set<string>();
    const results: (ReadOutcome | 'large')[] = [];
    for (const task of tasks) {
      // Synchronous reads: let other requests in between files.
      await new Promise((resolve) => setImmediate(resolve));
      results.push(storeSmallFileSync(task.absolutePath, task.expected, this.blobs, dirty));
    }
    return { results: await finishLarge(this.blobs, tasks, results), dirty: [...dirty] };
  }

  async close(): Promise<void> {}
}

/** Idle workers stop after this long: each holds some 15 MB, and a new job starts them again in milliseconds. */
const IDLE_MS = 500;

export interface WorkerSetup {
  blobRoot: string;
  level: number;
  durable: boolean;
}

interface Pending {
  resolve: (batch: { results: (ReadOutcome | 'large')[]; dirty: string[] }) => void;
  reject: (error: Error) => void;
}

/**
 * A pool of worker threads; each batch (one home's files) goes to the least busy worker. Workers start with the
 * first batch and stop after IDLE_MS without work, so an idle service does not keep their memory.
 */
export class WorkerPoolReader implements FileReader {
  private workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly blobs: BlobStore,
    private readonly workerFile: string,
    private readonly setup: WorkerSetup,
    private readonly size = Math.max(1, Math.min(availableParallelism(), 4)),
  ) {}

  async readAll(tasks: readonly ReadTask[]): Promise<ReadBatch> {
    if (tasks.length === 0) return { results: [], dirty: [] };
    clearTimeout(this.idleTimer);
    if (this.workers.length === 0) this.startWorkers();
    const slot = this.workers.reduce((least, candidate) => (candidate.busy < least.busy ? candidate : least));
    const id = this.nextId++;
    slot.busy++;
    try {
      const batch = await new Promise<{ results: (ReadOutcome | 'large')[]; dirty: string[] }>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, tasks });
      });
      return { results: await finishLarge(this.blobs, tasks, batch.results), dirty: batch.dirty };
    } finally {
      slot.busy--;
      if (this.pending.size === 0) {
        this.idleTimer = setTimeout(() => void this.close(), IDLE_MS);
        this.idleTimer.unref();
      }
    }
  }

  async close(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  private startWorkers(): void {
    for (let i = 0; i < this.size; i++) {
      // A small young generation, as for the service itself (see jupyterhub_config.d/coursework.py).
      const worker = new Worker(this.workerFile, { workerData: this.setup, resourceLimits: { maxYoungGenerationSizeMb: 2 } });
      worker.unref();
      worker.on('message', (message: { id: number; results?: (ReadOutcome | 'large')[]; dirty?: string[]; error?: string }) => {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error !== undefined) waiting?.reject(new Error(message.error));
        else waiting?.resolve({ results: message.results!, dirty: message.dirty! });
      });
      worker.on('error', (error) => {
        for (const [id, waiting] of this.pending) {
          waiting.reject(error);
          this.pending.delete(id);
        }
        this.workers = this.workers.filter((slot) => slot.worker !== worker);
      });
      this.workers.push({ worker, busy: 0 });
    }
  }
}
