/** A worker thread of WorkerPoolScanner: scans one home per message into the blob store. */
import { parentPort, workerData } from 'node:worker_threads';
import { BlobStore } from '../blobs/blob-store';
import { scanHome, type ScanTask } from './home-scan';
import type { WorkerAnswer, WorkerSetup } from './scanner';

const setup = workerData as WorkerSetup;
const blobs = new BlobStore(setup.blobRoot, { level: setup.level, durable: setup.durable, recentBlobs: setup.recentBlobs });

parentPort!.on('message', ({ id, task }: { id: number; task: ScanTask }) => {
  scanHome(task, blobs).then(
    (scan) => parentPort!.postMessage({ id, scan } satisfies WorkerAnswer),
    (error: unknown) =>
      parentPort!.postMessage({ id, error: (error as Error).message, code: (error as NodeJS.ErrnoException).code } satisfies WorkerAnswer),
  );
});
