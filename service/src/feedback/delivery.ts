/**
 * Delivery of released feedback into students' homes: files whose release time has come and that are to be
 * written into the home are written there (as the home's owner, see homes/home-writer), grouped by student, and the
 * outcome is recorded on each file. It wakes when a release is recorded, at the next scheduled release time, and
 * once a minute in any case, so a release that came due while the service was down is delivered at start-up, and
 * one for a home that does not exist yet is written once it does.
 *
 * With several replicas, one delivers a course's feedback at a time: a pass holds the course's delivery lease
 * (renewed before each student), so no file is written twice; a replica that finds it held looks again shortly.
 */
import type { HomeDelivery } from '@coursework/client';
import type { BlobStore } from '../blobs/blob-store';
import { homeExists, homePath } from '../homes/home-path';
import type { Logger } from '../log';
import type { Leases } from '../replicas/leases';
import { WakeLoop } from '../util/wake-loop';
import { writeIntoHome } from '../homes/home-writer';
import type { FeedbackRow, FeedbackStore } from './store';

const MAX_SLEEP_MS = 60_000;
/** When another replica is delivering the course's feedback: how soon to look again. */
const BUSY_RETRY_MS = 1000;

/** The lease a replica holds while it delivers a course's feedback. */
export interface DeliveryLease {
  leases: Leases;
  name: string;
  ms: number;
}

export class FeedbackDelivery extends WakeLoop {
  constructor(
    private readonly store: FeedbackStore,
    private readonly blobs: BlobStore,
    private readonly homeTemplate: string,
    private readonly log: Logger,
    private readonly now: () => Date = () => new Date(),
    /** Told of each file's delivery, by its status. */
    private readonly onDelivered: (status: HomeDelivery['status']) => void = () => undefined,
    private readonly lease?: DeliveryLease,
  ) {
    super({
      longestMs: MAX_SLEEP_MS,
      marginMs: 50,
      now,
      onError: (error) => log.error({ err: error }, 'feedback delivery failed; trying again soon'),
    });
  }

  /** Delivers what is due; wakes next at the next scheduled release. */
  protected override async pass(): Promise<number | undefined> {
    if (!(await this.holdLease())) return this.now().getTime() + BUSY_RETRY_MS;
    try {
      await this.deliverDue();
    } finally {
      await this.lease?.leases.release(this.lease.name).catch(() => undefined);
    }
    return (await this.store.nextDeliveryAt())?.getTime();
  }

  private async deliverDue(): Promise<void> {
    // Each due row once per pass (rows waiting for a home that does not exist yet stay due for the next one).
    let after = 0;
    for (;;) {
      const due = await this.store.dueDeliveries(after);
      if (due.length === 0) return;
      after = due.at(-1)!.id;
      const byStudent = new Map<string, FeedbackRow[]>();
      for (const row of due) byStudent.set(row.student, [...(byStudent.get(row.student) ?? []), row]);
      for (const [student, rows] of byStudent) {
        if (!(await this.holdLease())) return;
        await this.deliverTo(student, rows);
      }
    }
  }

  /** Takes or renews the delivery lease; false when another replica holds it (always true on one replica). */
  private async holdLease(): Promise<boolean> {
    return this.lease ? this.lease.leases.acquire(this.lease.name, this.lease.ms) : true;
  }

  private async deliverTo(student: string, rows: FeedbackRow[]): Promise<void> {
    const writes = await Promise.all(
      rows.map(async (row) => ({
        target: row.home_path!,
        size: row.size,
        sha256: row.sha256,
        ours: await this.store.deliveredBefore(student, row.home_path!),
        onExisting: 'keep-both' as const,
        content: async () => (await this.blobs.openContent(row.sha256)).stream,
      })),
    );
    const home = homePath(this.homeTemplate, student);
    const at = this.now().toISOString();
    // A student who never started a server may have no home yet: wait for it rather than give up.
    if (!(await homeExists(home))) {
      for (const row of rows) await this.store.recordWaiting(row, { status: 'waiting', reason: 'the home folder does not exist yet', at });
      return;
    }
    const results = await writeIntoHome(home, writes);
    for (const [i, row] of rows.entries()) {
      const result: HomeDelivery = { ...results[i]!, at };
      await this.store.recordDelivery(row, result);
      this.onDelivered(result.status);
      if (result.status === 'refused' || result.status === 'failed') {
        this.log.warn({ student, assignment: row.assignment, path: row.path, ...result }, 'feedback not written into the home');
      }
    }
  }
}
