/**
 * The real Koa app on a loopback port, with the Hub replaced by a table of known tokens. For unit tests of the
 * HTTP layer only; the integration tests run the service under a real JupyterHub.
 */
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app';
import { type Config, loadConfig } from '../../src/config';
import { HubClient, type HubIdentity } from '../../src/hub/client';
import { createLogger } from '../../src/log';
import type { SnapshotJobs } from '../../src/snapshots/jobs';
import type { AssignmentServices } from '../../src/assignments/services';
import type { FeedbackReleases } from '../../src/feedback/services';
import { createServices, type Services } from '../../src/services';
import { HUB_ENV, testDatabaseUrl } from './test-catalog';

const ACCESS = 'access:services!service=coursework';

export const CALLERS = {
  noAccess: { name: 'restricted', kind: 'user', admin: false, groups: ['students'], scopes: ['read:users:name!user=restricted'] },
  outsider: { name: 'outsider', kind: 'user', admin: false, groups: [], scopes: [ACCESS] },
  student: { name: 'student1', kind: 'user', admin: false, groups: ['students'], scopes: [ACCESS] },
  scopeWithoutGroup: { name: 'ta', kind: 'user', admin: false, groups: ['tas'], scopes: [ACCESS, 'custom:coursework:instruct'] },
  instructor: { name: 'instructor', kind: 'user', admin: false, groups: ['instructors'], scopes: [ACCESS, 'custom:coursework:instruct'] },
  grader: { name: 'grader1', kind: 'user', admin: false, groups: ['graders'], scopes: [ACCESS, 'custom:coursework:instruct'] },
  courseAdmin: {
    name: 'dean',
    kind: 'user',
    admin: false,
    groups: [],
    scopes: [ACCESS, 'custom:coursework:instruct', 'custom:coursework:admin'],
  },
  lmsService: { name: 'canvas', kind: 'service', admin: false, groups: [], scopes: [ACCESS, 'custom:coursework:instruct'] },
} satisfies Record<string, HubIdentity>;

export type CallerName = keyof typeof CALLERS;

/** The token that stands for a caller in these tests. */
export const tokenOf = (caller: CallerName): string => `token-of-${caller}`;

/** A snapshot every in-process app starts with, of student1's home. */
export const SEEDED = { student: 'student1', name: 'hw1_2026-11-23', file: 'assignment-1.ipynb', content: '{"cells": []}' };

export interface InProcessApp {
  url: string;
  /** What the app was built from (for tests that build a router of their own). */
  deps: Services;
  jobs: SnapshotJobs;
  feedback: FeedbackReleases;
  assignments: AssignmentServices;
  prefix: string;
  config: Config;
  /** How many times each token was looked up with the stand-in Hub. */
  lookups: Map<string, number>;
  close(): Promise<void>;
}

export async function startInProcessApp(env: Record<string, string> = {}): Promise<InProcessApp> {
  const homes = mkdtempSync(path.join(os.tmpdir(), 'coursework-homes-'));
  for (const student of ['student1', 'student2', 'student3']) {
    mkdirSync(path.join(homes, student, 'sub'), { recursive: true });
    writeFileSync(path.join(homes, student, SEEDED.file), SEEDED.content);
    writeFileSync(path.join(homes, student, 'sub', 'notes.txt'), `notes of ${student}`);
  }
  const databaseUrl = await testDatabaseUrl();
  const config = loadConfig({
    ...HUB_ENV,
    COURSEWORK_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'coursework-data-')),
    // A new database on the run's PostgreSQL in the PostgreSQL projects; SQLite in the data directory otherwise.
    ...(databaseUrl ? { COURSEWORK_DATABASE_URL: databaseUrl } : {}),
    COURSEWORK_HOME_TEMPLATE: `${homes}/{username}`,
    COURSEWORK_LOG_LEVEL: 'fatal',
    ...env,
  });
  const lookups = new Map<string, number>();
  const standInHub = {
    async identify(token: string): Promise<HubIdentity | null> {
      lookups.set(token, (lookups.get(token) ?? 0) + 1);
      const entry = Object.entries(CALLERS).find(([name]) => tokenOf(name as CallerName) === token);
      return entry ? entry[1] : null;
    },
    async groupMembers(group: string): Promise<string[] | null> {
      return group === config.course.studentsGroup ? ['student2', 'student1', 'student3'] : null;
    },
  };
  const log = createLogger(config.logLevel);
  const deps = await createServices({
    config,
    log,
    hub: new HubClient({ apiUrl: config.hub.apiUrl, serviceToken: config.hub.apiToken, timeoutMs: 500 }),
    lookups: standInHub,
    cookieSecret: 'k'.repeat(64),
    version: 'test',
    durable: false,
  });
  const { catalog, taker, courses, spaces } = deps;
  const { jobs, feedback, assignments } = spaces.of((await courses.find(config.course.id))!);
  await taker.take({
    courseId: config.course.id,
    student: SEEDED.student,
    home: path.join(homes, SEEDED.student),
    baseName: 'hw1',
    name: SEEDED.name,
    includeHidden: false,
    actor: 'instructor',
    jobId: null,
  });
  const app = createApp(deps);
  feedback.delivery.start();
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    prefix: config.hub.servicePrefix,
    config,
    deps,
    jobs,
    feedback,
    assignments,
    lookups,
    close: async () => {
      spaces.stopAll();
      const started = await catalog.selectFrom('jobs').select(['id', 'course_id']).execute();
      await Promise.all(started.map(async (j) => spaces.of((await courses.find(j.course_id))!).jobs.settled(j.id)));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await catalog.destroy();
    },
  };
}
