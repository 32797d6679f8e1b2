/**
 * Prometheus metrics (prom-client), served at `/metrics` to callers holding JupyterHub's `read:metrics` scope. One
 * registry per service: the HTTP layer, the Hub client's cache, the snapshot jobs, the blob store and feedback
 * delivery each count what they do, and the data disk's free space is read when the metrics are scraped.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'coursework_http_requests_total',
    help: 'HTTP requests answered, by operation (the OpenAPI operation id), method and status.',
    labelNames: ['operation', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'coursework_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (until the answer starts streaming), by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly identityLookups = new Counter({
    name: 'coursework_identity_lookups_total',
    help: 'Tokens resolved, by result: hit (from the cache) or miss (asked of the Hub).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly jobs = new Counter({
    name: 'coursework_snapshot_jobs_total',
    help: 'Snapshot jobs that ended, by state (done or failed).',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly jobDuration = new Histogram({
    name: 'coursework_snapshot_job_duration_seconds',
    help: 'Time a snapshot job ran, from its start (or resumption) to its end.',
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });

  readonly homes = new Counter({
    name: 'coursework_homes_scanned_total',
    help: "Students' homes a snapshot job handled, by outcome (taken, exists, no-home, not-taken, failed).",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly homeBytes = new Counter({
    name: 'coursework_snapshot_bytes_total',
    help: 'Bytes of the files recorded in snapshots taken (before deduplication).',
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'coursework_feedback_deliveries_total',
    help: 'Feedback files written into homes (or not), by status.',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  readonly storageFull = new Counter({
    name: 'coursework_storage_full_total',
    help: 'Requests and writes refused because the data disk was full or below COURSEWORK_MIN_FREE_SPACE.',
    registers: [this.registry],
  });

  readonly quarantined = new Counter({
    name: 'coursework_blobs_quarantined_total',
    help: 'Blobs found damaged (short, malformed or with a wrong hash) and moved into the quarantine.',
    registers: [this.registry],
  });

  constructor(options: { freeSpace?: () => { bytes: number } } = {}) {
    collectDefaultMetrics({ register: this.registry, prefix: 'coursework_' });
    const { freeSpace } = options;
    if (freeSpace) {
      new Gauge({
        name: 'coursework_data_disk_free_bytes',
        help: "Bytes free on the service's data disk.",
        registers: [this.registry],
        collect() {
          this.set(freeSpace().bytes);
        },
      });
    }
  }
}
