/**
 * Prometheus metrics through the real Hub's proxy: readable with a token holding `read:metrics` (and refused to a
 * student's), and the counters move with the work done.
 */
import { CourseworkClient } from '@coursework/client';
import { type RunningHub, startHub } from '../support/hub';

let hub: RunningHub;
let instructor: CourseworkClient;
let instructorToken: string;

beforeAll(async () => {
  hub = await startHub();
  instructorToken = (await hub.issueToken('instructor')).token;
  instructor = new CourseworkClient({ baseUrl: hub.serviceUrl, token: instructorToken });
}, 120000);

afterAll(() => hub?.stop());

async function scrape(): Promise<string> {
  const answer = await fetch(`${hub.serviceUrl}metrics`, { headers: { Authorization: `token ${hub.prometheusToken}` } });
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
  return answer.text();
}

/** The value of one sample (name with its labels, as printed), or 0 when it is not there yet. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

it('counts snapshots, homes, bytes and downloads, and reports the free space of the data disk', async () => {
  const before = await scrape();
  const { job } = await instructor.snapshot({ name: 'metrics' });
  const done = await instructor.waitForJob(job.id);
  const file = (await instructor.snapshotFiles('student1', done.name)).find((f) => f.type === 'file')!;
  expect(
    (await fetch(instructor.snapshotFileUrl('student1', done.name, file.path), { headers: { Authorization: `token ${instructorToken}` } }))
      .status,
  ).toBe(200);

  const after = await scrape();
  expect(sample(after, 'coursework_snapshot_jobs_total{state="done"}')).toBe(
    sample(before, 'coursework_snapshot_jobs_total{state="done"}') + 1,
  );
  expect(sample(after, 'coursework_homes_scanned_total{outcome="taken"}')).toBe(
    sample(before, 'coursework_homes_scanned_total{outcome="taken"}') + 3,
  );
  expect(sample(after, 'coursework_snapshot_bytes_total')).toBe(sample(before, 'coursework_snapshot_bytes_total') + done.bytes);
  const downloads = 'coursework_http_requests_total{operation="getSnapshotFile",method="GET",status="200"}';
  expect(sample(after, downloads)).toBe(sample(before, downloads) + 1);
  expect(sample(after, 'coursework_identity_lookups_total{result="hit"}')).toBeGreaterThan(0);
  expect(sample(after, 'coursework_data_disk_free_bytes')).toBeGreaterThan(0);
  expect(after).toContain('coursework_process_resident_memory_bytes');
  // The path of a file never becomes a label: labels are operations.
  expect(after).not.toContain(file.path);
});

it('is refused to a student and to a request without a token', async () => {
  const student = (await hub.issueToken('student1')).token;
  expect((await fetch(`${hub.serviceUrl}metrics`, { headers: { Authorization: `token ${student}` } })).status).toBe(403);
  expect((await fetch(`${hub.serviceUrl}metrics`)).status).toBe(401);
});
