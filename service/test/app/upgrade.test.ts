/**
 * A catalog and blob store written by the release before courses (kept in test/fixtures: snapshots, assignments
 * with an extension and deadline captures, feedback, the audit log) opens in this one with nothing lost, all of it
 * under the course the settings name.
 */
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CourseworkClient } from '@coursework/client';
import { type InProcessApp, startInProcessApp, tokenOf } from '../support/in-process';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'catalog-before-courses');

let app: InProcessApp;
let instructor: CourseworkClient;
beforeAll(async () => {
  const data = mkdtempSync(path.join(os.tmpdir(), 'coursework-upgrade-'));
  cpSync(FIXTURE, data, { recursive: true });
  app = await startInProcessApp({ COURSEWORK_DATA_DIR: data, COURSEWORK_COURSE_ID: 'stat-101', COURSEWORK_COURSE_TITLE: 'Statistics 101' });
  instructor = new CourseworkClient({ baseUrl: app.url + app.prefix, token: tokenOf('instructor') });
});
afterAll(() => app.close());

const authorized = { headers: { Authorization: `token ${tokenOf('instructor')}` } };

it('keeps the course, now with the graders group the settings name', async () => {
  const courses = (await (await fetch(`${app.url}${app.prefix}api/v1/courses`, authorized)).json()) as unknown[];
  expect(courses).toEqual([
    expect.objectContaining({
      id: 'stat-101',
      title: 'Statistics 101',
      default: true,
      groups: { instructors: 'instructors', graders: 'graders', students: 'students' },
      roles: ['instructor'],
    }),
  ]);
});

it('keeps every snapshot, and serves their files from the blobs the old release wrote', async () => {
  for (const student of ['student1', 'student2']) {
    const names = (await instructor.studentSnapshots(student)).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['hw1_2026-11-28', 'lab0_2026-11-28']));
  }
  const file = await fetch(instructor.snapshotFileUrl('student2', 'hw1_2026-11-28', 'assignment-1.ipynb'), authorized);
  expect(await file.text()).toBe('{"cells": [], "metadata": {"student": "student2"}}');
  const report = await instructor.checkStore({ readDataSubset: 'all', repair: false });
  expect(report.broken).toEqual([]);
  expect(report.hashed).toBe(report.blobs);
});

it('keeps the assignments, the extension and the deadline captures with their receipts', async () => {
  const assignments = await instructor.assignments();
  expect(assignments.map((a) => a.id).sort()).toEqual(['lab0', 'ps1']);
  expect(assignments.find((a) => a.id === 'ps1')!.extensions).toEqual([
    expect.objectContaining({ student: 'student2', dueAt: '2031-01-03T00:00:00.000Z' }),
  ]);
  const status = await instructor.assignmentStatus('lab0');
  expect(status.students.map((s) => [s.student, s.status, s.receipt?.snapshot])).toEqual(
    expect.arrayContaining([
      ['student1', 'captured', 'lab0_2026-11-28'],
      ['student2', 'captured', 'lab0_2026-11-28'],
    ]),
  );
});

it('keeps the feedback and the audit log', async () => {
  const feedback = await instructor.studentFeedback('student1', 'ps1');
  expect(feedback.files.map((f) => f.path)).toEqual(['feedback.txt']);
  const file = await fetch(`${app.url}${app.prefix}api/v1/students/student1/feedback/ps1/files/feedback.txt`, authorized);
  expect(await file.text()).toBe('Well done.');
  const actions = (await instructor.audit()).map((e) => e.action);
  expect(actions).toEqual(expect.arrayContaining(['snapshot.taken', 'assignment.created', 'extension.granted', 'feedback.released']));
});
