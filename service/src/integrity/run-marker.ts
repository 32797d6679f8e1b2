/**
 * Whether the last run of the service ended cleanly, and if not, since when its writes are in doubt.
 *
 * A marker file in the data folder exists while the service runs; its mtime is renewed every minute. A start that
 * finds it left behind knows the last run was killed (or the machine lost power): blobs written or touched since
 * shortly before its last renewal may be incomplete on disk, and are worth hashing before anything reuses them.
 * Replicas sharing the data folder each keep their own marker, named after the replica: one replica's clean end
 * says nothing of the others'.
 */
import { closeSync, openSync, rmSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

const MARKER_PREFIX = 'running-';
const RENEW_MS = 60_000;
/** Writes in doubt start this long before the marker's last renewal (a renewal may itself not have reached disk). */
const DOUBT_MARGIN_MS = 2 * RENEW_MS;

export class RunMarker {
  private timer: NodeJS.Timeout | undefined;
  private readonly file: string;

  constructor(dataDir: string, replicaId: string) {
    this.file = path.join(dataDir, MARKER_PREFIX + replicaId.replace(/[^A-Za-z0-9._-]/g, '_'));
  }

  /**
   * Marks this run as started. Answers the time from which the last run's writes are in doubt (ms since the epoch),
   * or null when it ended cleanly (or there was none).
   */
  begin(): number | null {
    let inDoubtSince: number | null = null;
    try {
      inDoubtSince = statSync(this.file).mtimeMs - DOUBT_MARGIN_MS;
    } catch {
      // no marker: the last run stopped cleanly
    }
    closeSync(openSync(this.file, 'w', 0o600));
    this.timer = setInterval(() => {
      const now = new Date();
      try {
        utimesSync(this.file, now, now);
      } catch {
        // a full or read-only disk: the older time only widens the doubt
      }
    }, RENEW_MS);
    this.timer.unref();
    return inDoubtSince;
  }

  /** Marks a clean end. */
  end(): void {
    clearInterval(this.timer);
    rmSync(this.file, { force: true });
  }
}
