/** The snapshot engine's parts, wired from the config: the blob store and the taker (shared), a course's job runner. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BlobStore } from '../blobs/blob-store';
import type { Catalog } from '../catalog/catalog';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import { InThreadScanner, WorkerPoolScanner } from './scanner';
import { SnapshotJobs } from './jobs';
import { SnapshotTaker } from './take';

/** The compiled worker; absent when running from TypeScript sources (tests), where the service's thread reads. */
const WORKER_FILE = path.join(__dirname, 'scan-worker.js');

/** Enough students waiting for the catalog that their rows commit in groups (see GroupCommit), few enough to hold. */
const STUDENTS_IN_FLIGHT = 32;

export function createSnapshotServices(
  config: Config,
  catalog: Catalog,
  log: Logger,
  options: { durable?: boolean; metrics?: Metrics } = {},
) {
  const { metrics } = options;
  const blobs = new BlobStore(path.join(config.dataDir, 'blobs'), {
    durable: options.durable ?? true,
    minFreeSpace: config.storage.minFreeSpace,
    recentBlobs: config.storage.recentBlobs,
    onQuarantine: (sha256) => {
      metrics?.quarantined.inc();
      log.error({ blob: sha256 }, 'damaged blob moved into the quarantine');
    },
  });
  const workers = config.snapshots.readWorkers;
  const scanner =
    workers > 0 && existsSync(WORKER_FILE)
      ? new WorkerPoolScanner(
          WORKER_FILE,
          { blobRoot: blobs.root, level: blobs.level, durable: blobs.durable, recentBlobs: blobs.recentBlobs },
          workers,
        )
      : new InThreadScanner(blobs);
  const taker = new SnapshotTaker(catalog, blobs, {
    exclude: config.snapshots.exclude,
    maxFileBytes: config.limits.maxFileBytes,
    maxHomeBytes: config.limits.maxHomeBytes,
    scanner,
    scanConcurrency: config.snapshots.concurrency,
    lowSpace: () => blobs.lowSpace(),
  });
  return { blobs, taker };
}

/** The jobs of one course, on the shared taker (whose scan concurrency bounds every course's jobs together). */
export function createSnapshotJobs(
  config: Config,
  catalog: Catalog,
  taker: SnapshotTaker,
  blobs: BlobStore,
  course: { id: string; timeZone: string; folder?: string; exclude?: readonly string[]; includeHidden?: boolean },
  log: Logger,
  metrics?: Metrics,
): SnapshotJobs {
  return new SnapshotJobs(
    catalog,
    taker,
    {
      courseId: course.id,
      timeZone: course.timeZone,
      folder: course.folder,
      exclude: course.exclude,
      includeHidden: course.includeHidden,
      homeTemplate: config.homeTemplate,
      inFlight: STUDENTS_IN_FLIGHT,
      lowSpace: () => blobs.lowSpace(),
      maxPerCaller: config.perCaller.jobs,
      replica: config.replica.id,
      leaseMs: config.replica.leaseMs,
      metrics,
    },
    log,
  );
}
