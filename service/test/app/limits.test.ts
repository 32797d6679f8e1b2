/**
 * Per-caller limits on the expensive work: a caller already downloading as many course zips as allowed is answered
 * 429 with Retry-After (not queued), while the download under way completes; other callers are not affected.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CourseworkClient } from '@coursework/client';
import { expectMatchesContract } from '../support/openapi-validator';
import { type InProcessApp, startInProcessApp, tokenOf } from '../support/in-process';

let app: InProcessApp;

beforeAll(async () => {
  app = await startInProcessApp({ COURSEWORK_MAX_COURSE_ZIPS_PER_CALLER: '1' });
}, 30000);
afterAll(() => app?.close());

it('answers a second course zip of the same caller with 429 and Retry-After while the first one streams', async () => {
  // Enough incompressible bytes that the first zip cannot be sent before it is read.
  const home = app.config.homeTemplate.replace('{username}', 'student2');
  writeFileSync(path.join(home, 'large.bin'), randomBytes(24 * 1024 * 1024));
  const instructor = new CourseworkClient({ baseUrl: `${app.url}${app.prefix}`, token: tokenOf('instructor') });
  const { job } = await instructor.snapshot({ name: 'big', students: ['student2'] });
  const done = await instructor.waitForJob(job.id);
  const zipUrl = instructor.courseZipUrl(done.name);
  const as = (who: 'instructor' | 'lmsService') => ({ headers: { Authorization: `token ${tokenOf(who)}` } });

  const first = await fetch(zipUrl, as('instructor'));
  expect(first.status).toBe(200);
  const second = await fetch(zipUrl, as('instructor'));
  expect(second.status).toBe(429);
  expect(second.headers.get('retry-after')).toBe('5');
  const refusal = (await second.json()) as { status: number; message: string };
  expectMatchesContract('getSnapshotNameZip', 429, refusal);
  expect(refusal.message).toMatch(/^You are downloading 1 course zip already/);
  // Another caller is not held up by the first one's download.
  const other = await fetch(zipUrl, as('lmsService'));
  expect(other.status).toBe(200);
  await other.arrayBuffer();

  // The first download completes, whole; after it, the caller may download again.
  const bytes = Buffer.from(await first.arrayBuffer());
  expect(bytes.length).toBeGreaterThan(24 * 1024 * 1024);
  expect(bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))).toBe(true);
  for (let i = 0; i < 50; i++) {
    const again = await fetch(zipUrl, as('instructor'));
    if (again.status === 200) {
      await again.arrayBuffer();
      return;
    }
    await again.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the limit was not given back after the first download ended');
});
