/**
 * Prometheus metrics (prom-client), served at `/metrics` to callers holding JupyterHub's `read:metrics` scope. One
 * registry per service: the HTTP layer, the Hub client's cache, the snapshot jobs, the blob store and feedback
 * delivery each count what they do, and the data disk's free space is read when the metrics are scraped.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = counter(
    this.registry,
    'coursework_http_requests_total',
    'HTTP requests answered, by operation (the OpenAPI operation id), method and status.',
    ['operation', 'method', 'status'] as const,
  );

  readonly httpDuration = new Histogram({
    name: 'coursework_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (until the answer starts streaming), by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly identityLookups = counter(
    this.registry,
    'coursework_identity_lookups_total',
    'Tokens resolved, by result: hit (from the cache) or miss (asked of the Hub).',
    ['result'] as const,
  );
  readonly jobs = counter(this.registry, 'coursework_snapshot_jobs_total', 'Snapshot jobs that ended, by state (done or failed).', [
    'state',
  ] as const);

  readonly jobDuration = new Histogram({
    name: 'coursework_snapshot_job_duration_seconds',
    help: 'Time a snapshot job ran, from its start (or resumption) to its end.',
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  readonly homes = counter(
    this.registry,
    'coursework_homes_scanned_total',
    "Students' homes a snapshot job handled, by outcome (taken, exists, no-home, not-taken, failed).",
    ['outcome'] as const,
  );
  readonly homeBytes = counter(
    this.registry,
    'coursework_snapshot_bytes_total',
    'Bytes of the files recorded in snapshots taken (before deduplication).',
  );
  readonly deliveries = counter(
    this.registry,
    'coursework_feedback_deliveries_total',
    'Feedback files written into homes (or not), by status.',
    ['status'] as const,
  );
  readonly storageFull = counter(
    this.registry,
    'coursework_storage_full_total',
    'Requests and writes refused because the data disk was full or below COURSEWORK_MIN_FREE_SPACE.',
  );
  readonly quarantined = counter(
    this.registry,
    'coursework_blobs_quarantined_total',
    'Blobs found damaged (short, malformed or with a wrong hash) and moved into the quarantine.',
  );

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
