/** Feedback's parts wired together: releases go to the blob store and the catalog, then to homes when asked. */
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FeedbackVersion } from '@coursework/client';
import type { BlobStore } from '../blobs/blob-store';
import type { Catalog } from '../catalog/catalog';
import type { Config } from '../config';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import { type ChildResult, writeIntoHome } from '../homes/home-writer';
import { FeedbackDelivery } from './delivery';
import { FeedbackStore } from './store';
import type { Leases } from '../replicas/leases';

export interface ReleaseOptions {
  by: string;
  releaseAt?: Date;
  /** Also write into the home; the configured default when absent. */
  deliver?: boolean;
}

export class FeedbackReleases {
  constructor(
    readonly store: FeedbackStore,
    private readonly blobs: BlobStore,
    readonly delivery: FeedbackDelivery,
    private readonly config: Config['feedback'],
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Where a released file goes in the home: `<feedback folder>/<assignment>/<path>`. */
  homePathOf(assignment: string, filePath: string): string {
    return path.posix.join(this.config.homeDir, assignment, filePath);
  }

  /** Stores the files' bytes and records the release; paths must be validated already. */
  async release(
    student: string,
    assignment: string,
    files: { path: string; bytes: Buffer | (() => Buffer) }[],
    options: ReleaseOptions,
  ): Promise<FeedbackVersion[]> {
    const deliver = options.deliver ?? this.config.deliverToHome;
    const stored = [];
    for (const file of files) {
      const bytes = typeof file.bytes === 'function' ? file.bytes() : file.bytes;
      stored.push({
        path: file.path,
        ...(await this.blobs.storeBuffer(bytes)),
        homePath: deliver ? this.homePathOf(assignment, file.path) : null,
      });
    }
    const versions = await this.store.release({
      student,
      assignment,
      files: stored,
      by: options.by,
      releaseAt: options.releaseAt ?? this.now(),
    });
    if (deliver) void this.delivery.kick();
    return versions;
  }

  /**
   * Writes one file into the home's root as its owner, never over an existing file and never through a symlink, and
   * records it as released and delivered only once it is written (the seed API's `put_student_report`).
   */
  async writeIntoHomeAndRecord(
    student: string,
    home: string,
    assignment: string,
    fileName: string,
    bytes: Buffer,
    options: { by: string; at: Date },
  ): Promise<ChildResult> {
    const { sha256, size } = await this.blobs.storeBuffer(bytes);
    const [result] = await writeIntoHome(home, [
      { target: fileName, size, sha256, ours: [], onExisting: 'refuse', content: async () => Readable.from([bytes]) },
    ]);
    if (result!.status === 'written') {
      await this.store.release({
        student,
        assignment,
        files: [{ path: fileName, sha256, size, homePath: fileName }],
        by: options.by,
        releaseAt: options.at,
        delivered: { status: 'written', path: fileName, at: options.at.toISOString() },
      });
    }
    return result!;
  }
}

/** One course's feedback: its store, its releases and its delivery into homes. */
export function createFeedbackServices(
  config: Config,
  catalog: Catalog,
  blobs: BlobStore,
  courseId: string,
  log: Logger,
  options: { now?: () => Date; metrics?: Pick<Metrics, 'deliveries'>; leases?: Leases } = {},
) {
  const { now, metrics, leases } = options;
  const store = new FeedbackStore(catalog, courseId, now);
  const lease = leases && { leases, name: `feedback-delivery:${courseId}`, ms: config.replica.leaseMs };
  const delivery = new FeedbackDelivery(
    store,
    blobs,
    config.homeTemplate,
    log,
    now,
    (status) => metrics?.deliveries.inc({ status }),
    lease,
  );
  return new FeedbackReleases(store, blobs, delivery, config.feedback, now);
}
