/**
 * Who scans homes into the blob store: the service's own thread, or a pool of worker threads.
 *
 * A scan walks a home and hashes (SHA-256) and compresses every new byte, which is CPU work, done with
 * synchronous calls for small files (see BlobStore.putBufferSync). Worker threads do it on every core, one
 * message per home, and keep the service's event loop for requests and catalog writes; the in-thread scanner
 * does it between other work (and is what the unit tests run, since workers need the compiled code).
 */
import { Worker } from 'node:worker_threads';
import type { BlobStore } from '../blobs/blob-store';
import { TimeSlices } from '../util/time-slice';
import { type HomeScan, scanHome, type ScanTask } from './home-scan';

export interface HomeScanner {
  scan(task: ScanTask): Promise<HomeScan | 'no-home'>;
  close(): Promise<void>;
}

export class InThreadScanner implements HomeScanner {
  constructor(private readonly blobs: BlobStore) {}

  scan(task: ScanTask): Promise<HomeScan | 'no-home'> {
    // Folders are listed and files read synchronously: other requests get a turn once a slice of time is over.
    const slices = new TimeSlices();
    return scanHome(task, this.blobs, () => slices.pause());
  }

  async close(): Promise<void> {}
}

/** Idle workers stop after this long: each holds some 15 MB, and a new job starts them again in milliseconds. */
const IDLE_MS = 500;

export interface WorkerSetup {
  blobRoot: string;
  level: number;
  durable: boolean;
  recentBlobs: number;
}

/** A failed scan's message and its error code (ENOSPC, ...), which the service maps to its answers. */
export type WorkerAnswer = { id: number; scan: HomeScan | 'no-home' } | { id: number; error: string; code?: string };

interface Pending {
  resolve: (scan: HomeScan | 'no-home') => void;
  reject: (error: Error) => void;
}

/**
 * A pool of worker threads; each home goes to the least busy worker. Workers start with the first home and stop
 * after IDLE_MS without work, so an idle service does not keep their memory.
 */
export class WorkerPoolScanner implements HomeScanner {
  private workers: { worker: Worker; busy: number }[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly workerFile: string,
    private readonly setup: WorkerSetup,
    private readonly size: number,
  ) {}

  async scan(task: ScanTask): Promise<HomeScan | 'no-home'> {
    clearTimeout(this.idleTimer);
    if (this.workers.length === 0) this.startWorkers();
    const slot = this.workers.reduce((least, candidate) => (candidate.busy < least.busy ? candidate : least));
    const id = this.nextId++;
    slot.busy++;
    try {
      return await new Promise<HomeScan | 'no-home'>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, task });
      });
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
      worker.on('message', (message: WorkerAnswer) => {
        const waiting = this.pending.get(message.id);
        this.pending.delete(message.id);
        if ('error' in message) waiting?.reject(Object.assign(new Error(message.error), { code: message.code }));
        else waiting?.resolve(message.scan);
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
