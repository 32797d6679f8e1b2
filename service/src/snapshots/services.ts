/** The snapshot engine's parts, wired from the config: the blob store, the taker and the job runner. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BlobStore } from '../blobs/blob-store';
import type { Catalog } from '../catalog/catalog';
import type { Config } from '../config';
import type { Logger } from '../log';
import { InThreadReader, WorkerPoolReader } from './file-reader';
import { Housekeeping } from './housekeeping';
import { SnapshotJobs } from './jobs';
import { SnapshotTaker } from './take';

/** The compiled worker; absent when running from TypeScript sources (tests), where the service's thread reads. */
const WORKER_FILE = path.join(__dirname, 'read-worker.js');

export function createSnapshotServices(config: Config, catalog: Catalog, log: Logger, options: { durable?: boolean } = {}) {
  const blobs = new BlobStore(path.join(config.dataDir, 'blobs'), { durable: options.durable ?? true });
  const workers = config.snapshots.readWorkers;
  const reader =
    workers > 0 && existsSync(WORKER_FILE)
      ? new WorkerPoolReader(blobs, WORKER_FILE, { blobRoot: blobs.root, level: blobs.level, durable: blobs.durable }, workers)
      : new InThreadReader(blobs);
  const taker = new SnapshotTaker(catalog, blobs, {
    exclude: config.snapshots.exclude,
    maxFileBytes: config.limits.maxFileBytes,
    maxHomeBytes: config.limits.maxHomeBytes,
    reader,
  });
  const jobs = new SnapshotJobs(
    catalog,
    taker,
    { courseId: config.course.id, homeTemplate: config.homeTemplate, concurrency: config.snapshots.concurrency },
    log,
  );
  const housekeeping = new Housekeeping(
    catalog,
    blobs,
    { courseId: config.course.id, retentionDays: config.snapshots.retentionDays, intervalMs: config.snapshots.housekeepingIntervalMs },
    log,
  );
  return { blobs, taker, jobs, housekeeping };
}
