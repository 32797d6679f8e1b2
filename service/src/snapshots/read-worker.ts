/** A worker thread of WorkerPoolReader: reads batches of home files into the blob store, synchronously. */
import { parentPort, workerData } from 'node:worker_threads';
import { BlobStore } from '../blobs/blob-store';
import { storeSmallFileSync } from '../homes/read-file';
import type { ReadTask, WorkerSetup } from './file-reader';

const setup = workerData as WorkerSetup;
const blobs = new BlobStore(setup.blobRoot, { level: setup.level, durable: setup.durable });

parentPort!.on('message', ({ id, tasks }: { id: number; tasks: ReadTask[] }) => {
  try {
    const dirty = new Set<string>();
    const results = tasks.map((task) => storeSmallFileSync(task.absolutePath, task.expected, blobs, dirty));
    parentPort!.postMessage({ id, results, dirty: [...dirty] });
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).message });
  }
});
