/**
 * The assignments API through the real app: CRUD and extensions, the trigger webhook, the status table (JSON and
 * CSV), a student's own view, a student's timeline and the class's changes feed. Scheduling over time is tested with a controllable clock in the scheduler's
 * tests; here due times are real and the captures real.
 */
import { CourseworkClient } from '@coursework/client';
import { expectMatchesContract } from '../support/openapi-validator';
import { type InProcessApp, startInProcessApp, tokenOf } from '../support/in-process';

let app: InProcessApp;
let instructor: CourseworkClient;
let student: CourseworkClient;
const ROSTER = ['student1', 'student2', 'student3'];

beforeAll(async () => {
  // A zone whose offset never changes (and has a half hour): other zones' rules change with the tz database.
  app = await startInProcessApp({ COURSEWORK_TIMEZONE: 'Asia/Kolkata' });
  instructor = new CourseworkClient({ baseUrl: app.url + app.prefix, token: tokenOf('instructor') });
  student = new CourseworkClient({ baseUrl: app.url + app.prefix, token: tokenOf('student') });
});
afterAll(() => app.close());

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  // Up to 30 s: a capture on a loaded machine (the whole suite in parallel, on PostgreSQL) takes seconds.
  for (let i = 0; i < 600; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const captures = await app.deps.catalog.selectFrom('captures').select(['assignment_id', 'student', 'state', 'error']).execute();
  throw new Error(`timed out; the captures: ${JSON.stringify(captures)}`);
}

describe('assignments', () => {
  it('creates, reads, changes and deletes, showing due times in the course time zone', async () => {
    const created = await instructor.createAssignment({ id: 'hw1', title: 'Homework 1', dueAt: '2030-03-01T17:00:00-08:00' });
    expectMatchesContract('createAssignment', 201, created);
    expect(created).toMatchObject({
      id: 'hw1',
      title: 'Homework 1',
      dueAt: '2030-03-02T01:00:00.000Z',
      dueAtLocal: '2030-03-02 06:30 (Asia/Kolkata)',
      snapshotAtDue: true,
      captures: null,
      createdBy: 'instructor',
      extensions: [],
    });
    await expect(instructor.createAssignment({ id: 'hw1', dueAt: '2030-03-01T17:00:00Z' })).rejects.toMatchObject({ status: 409 });
    const changed = await instructor.updateAssignment('hw1', { title: 'HW 1', captures: { everyMinutes: 30, forMinutes: 120 } });
    expect(changed).toMatchObject({ title: 'HW 1', captures: { everyMinutes: 30, forMinutes: 120 }, dueAt: '2030-03-02T01:00:00.000Z' });
    expectMatchesContract('listAssignments', 200, await instructor.assignments());
    await instructor.deleteAssignment('hw1');
    await expect(instructor.assignment('hw1')).rejects.toMatchObject({ status: 404 });
    // Ids are never reused: captures of the deleted one keep theirs.
    await expect(instructor.createAssignment({ id: 'hw1', dueAt: '2030-03-01T17:00:00Z' })).rejects.toMatchObject({ status: 409 });
  });

  it('refuses bad input with a message that says what is wrong', async () => {
    const bad: [unknown, RegExp][] = [
      [{ id: 'a/b', dueAt: '2030-01-01T00:00:00Z' }, /not a usable assignment name/],
      [{ id: 'ok', dueAt: 'next friday' }, /dueAt must be an ISO 8601 time with its zone/],
      [{ id: 'ok', dueAt: '2030-01-01T00:00:00' }, /with its zone/],
      [{ id: 'ok', dueAt: '2030-01-01T00:00:00Z', captures: { everyMinutes: 90, forMinutes: 60 } }, /everyMinutes ≤ forMinutes/],
      [{ id: 'ok', dueAt: '2030-01-01T00:00:00Z', snapshotAtDue: 'yes' }, /snapshotAtDue must be true or false/],
    ];
    for (const [body, message] of bad) {
      const response = await fetch(`${app.url}${app.prefix}api/v1/assignments`, {
        method: 'POST',
        headers: { Authorization: `token ${tokenOf('instructor')}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { message: string }).message).toMatch(message);
    }
    await expect(instructor.grantExtension('missing', 'student1', '2030-01-01T00:00:00Z')).rejects.toMatchObject({ status: 404 });
  });

  it('takes a past-due assignment at once, grants extensions, and lists every student in the status and its CSV', async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    await instructor.createAssignment({ id: 'lab2', title: 'Lab, "two"', dueAt: past });
    const extended = await instructor.grantExtension('lab2', 'student3', '2031-01-01T00:00:00Z');
    expect(extended.extensions).toEqual([
      {
        student: 'student3',
        dueAt: '2031-01-01T00:00:00.000Z',
        dueAtLocal: '2031-01-01 05:30 (Asia/Kolkata)',
        grantedBy: 'instructor',
        grantedAt: expect.any(String),
      },
    ]);
    await instructor.releaseFeedback('student1', 'lab2', { 'lab2.html': '<p>ok</p>' });
    const status = await until(
      () => instructor.assignmentStatus('lab2'),
      (s) => s.students.filter((r) => r.status === 'captured').length === 2,
    );
    expectMatchesContract('getAssignmentStatus', 200, status);
    expect(status.students.map((s) => [s.student, s.status, s.extended])).toEqual([
      ['student1', 'captured', false],
      ['student2', 'captured', false],
      ['student3', 'upcoming', true],
    ]);
    expect(status.students[0]!.feedbackReleasedAt).not.toBeNull();
    expect(status.students[1]!.feedbackReleasedAt).toBeNull();

    const csv = await fetch(instructor.assignmentStatusCsvUrl('lab2'), { headers: { Authorization: `token ${tokenOf('instructor')}` } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toContain('lab2-status.csv');
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'student,due_at,due_local,extended,status,snapshot,taken_at,files,bytes,manifest_sha256,late_by_seconds,feedback_released_at,submitted_at,submission_late_by_seconds,submission_manifest_sha256',
    );
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(ROSTER);
    const first = lines[1]!.split(',');
    expect(first.slice(3, 6)).toEqual(['false', 'captured', status.students[0]!.receipt!.snapshot]);
    expect(first[9]).toBe(status.students[0]!.receipt!.manifestSha256);
    expect(lines[3]).toContain(',true,upcoming,');
  });

  it('shows a student their own due times and receipts, and only theirs', async () => {
    const mine = await until(
      () => student.myAssignments(),
      (list) => list.find((a) => a.id === 'lab2')?.status === 'captured',
    );
    expectMatchesContract('listMyAssignments', 200, mine);
    const lab2 = mine.find((a) => a.id === 'lab2')!;
    expect(lab2).toMatchObject({
      title: 'Lab, "two"',
      extended: false,
      receipt: { files: expect.any(Number), manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(lab2.course).toEqual({ id: 'default', title: 'Course' });
    expect(Object.keys(lab2).sort()).toEqual([
      'course',
      'dueAt',
      'dueAtLocal',
      'extended',
      'id',
      'receipt',
      'status',
      'submission',
      'title',
    ]);
  });

  it('answers the trigger webhook once per student and due time', async () => {
    await instructor.createAssignment({ id: 'quiz', dueAt: '2030-06-01T12:00:00Z' });
    const first = await instructor.triggerAssignment('quiz', ['student2']);
    expect(first).toEqual({ started: ['student2'], already: [] });
    const second = await instructor.triggerAssignment('quiz');
    expect(second).toEqual({ started: ['student1', 'student3'], already: ['student2'] });
    const status = await until(
      () => instructor.assignmentStatus('quiz'),
      (s) => s.students.every((r) => r.status === 'captured'),
    );
    expect(new Set(status.students.map((s) => s.receipt!.snapshot)).size).toBe(1);
    // The class view gives every student's capture and receipt too, read for the whole class at once.
    const view = await instructor.classStatus();
    const quiz = view.assignments.findIndex((a) => a.id === 'quiz');
    for (const row of view.status) {
      expect(row[quiz]).toMatchObject({
        status: 'captured',
        receipt: {
          snapshot: status.students[0]!.receipt!.snapshot,
          files: expect.any(Number),
          manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        },
      });
      expect(row[quiz]!.receipt!.files).toBeGreaterThan(0);
    }
    await expect(instructor.triggerAssignment('nope')).rejects.toMatchObject({ status: 404 });
  });

  it('gives the whole class at once, a row per student of the roster and a column per assignment', async () => {
    await instructor.createAssignment({ id: 'class-a', dueAt: '2030-01-01T10:00:00Z', snapshotAtDue: false });
    await instructor.createAssignment({ id: 'class-b', dueAt: '2030-02-01T10:00:00Z', snapshotAtDue: false });
    await instructor.grantExtension('class-b', 'student2', '2030-02-08T10:00:00Z');
    const view = await instructor.classStatus();
    expectMatchesContract('getClassStatus', 200, view);
    expect(view.students).toEqual(ROSTER);
    const columns = view.assignments.map((a) => a.id);
    expect(columns).toEqual(expect.arrayContaining(['class-a', 'class-b']));
    expect(view.status).toHaveLength(ROSTER.length);
    view.status.forEach((row, i) => {
      expect(row).toHaveLength(columns.length);
      for (const cell of row) expect(cell.student).toBe(ROSTER[i]);
    });
    const b = columns.indexOf('class-b');
    expect(view.status[1]![b]).toMatchObject({ extended: true, dueAt: '2030-02-08T10:00:00.000Z', status: 'not-scheduled' });
    expect(view.status[0]![b]).toMatchObject({ extended: false });
    await expect(student.classStatus()).rejects.toMatchObject({ status: 403 });
    await instructor.deleteAssignment('class-a');
    await instructor.deleteAssignment('class-b');
  });
  it("gives a student's timeline: their capture, an extension, feedback released and then opened by them, in order", async () => {
    await instructor.createAssignment({ id: 'tl1', dueAt: new Date(Date.now() - 60_000).toISOString() });
    await instructor.createAssignment({ id: 'tl2', title: 'Later', dueAt: '2030-01-01T10:00:00Z', snapshotAtDue: false });
    const status = await until(
      () => instructor.assignmentStatus('tl1'),
      (s) => s.students[0]!.status === 'captured',
    );
    await instructor.grantExtension('tl2', 'student1', '2030-01-08T10:00:00Z');
    await instructor.releaseFeedback('student1', 'tl1', { 'report.html': '<p>ok</p>' });
    const opened = await fetch(student.myFeedbackFileUrl('tl1', 'report.html'), {
      headers: { Authorization: `token ${tokenOf('student')}` },
    });
    expect(opened.status).toBe(200);
    // The view is recorded just after the answer.
    const timeline = await until(
      () => instructor.studentTimeline('student1'),
      (t) => t.events.some((e) => e.kind === 'feedback-viewed'),
    );
    expectMatchesContract('getStudentTimeline', 200, timeline);
    expect(timeline.student).toBe('student1');
    const mine = timeline.events.filter((e) => e.assignment === 'tl1' || e.assignment === 'tl2');
    const order = (kind: string) => mine.findIndex((e) => e.kind === kind);
    expect(order('capture')).toBeGreaterThanOrEqual(0);
    expect(order('capture')).toBeLessThan(order('feedback-released'));
    expect(order('extension')).toBeLessThan(order('feedback-released'));
    expect(order('feedback-released')).toBeLessThan(order('feedback-viewed'));
    expect(mine[order('capture')]).toMatchObject({ assignment: 'tl1', what: status.students[0]!.receipt!.snapshot, files: 2 });
    expect(mine[order('extension')]).toMatchObject({ assignment: 'tl2', what: 'extension to 2030-01-08T10:00:00.000Z', by: 'instructor' });
    expect(mine[order('feedback-released')]).toMatchObject({ assignment: 'tl1', files: 1, by: 'instructor' });
    expect(mine[order('feedback-viewed')]).toMatchObject({ assignment: 'tl1', what: 'report.html', by: 'student1' });
    // The seeded snapshot is a snapshot, not a capture; nothing of another student's is in it.
    expect(timeline.events.find((e) => e.what === 'hw1_2026-11-23')).toMatchObject({ kind: 'snapshot' });
    const student2 = await instructor.studentTimeline('student2');
    expect(student2.events.some((e) => e.assignment === 'tl2' || e.kind === 'feedback-viewed')).toBe(false);
    expect(timeline.events.map((e) => e.at)).toEqual([...timeline.events.map((e) => e.at)].sort());
    expect(timeline.dues.find((d) => d.assignment === 'tl2')).toEqual({
      assignment: 'tl2',
      title: 'Later',
      dueAt: '2030-01-08T10:00:00.000Z',
      extended: true,
    });
    expect(student2.dues.find((d) => d.assignment === 'tl2')).toMatchObject({ dueAt: '2030-01-01T10:00:00.000Z', extended: false });

    // The class view says the same: released and seen by student1; scheduled for student2, not released yet.
    await instructor.releaseFeedback('student2', 'tl1', { 'later.html': '<p>soon</p>' }, { releaseAt: '2031-01-01T00:00:00Z' });
    const view = await instructor.classStatus(['student1', 'student2']);
    const column = view.assignments.findIndex((a) => a.id === 'tl1');
    expect(view.status[0]![column]).toMatchObject({
      feedbackReleasedAt: expect.any(String),
      feedbackSeenAt: mine[order('feedback-viewed')]!.at,
    });
    expect(view.status[1]![column]).toMatchObject({
      feedbackReleasedAt: null,
      feedbackScheduledAt: '2031-01-01T00:00:00.000Z',
      feedbackSeenAt: null,
    });
    // Released again after the student looked: new to them.
    await instructor.releaseFeedback('student1', 'tl1', { 'report.html': '<p>better</p>' });
    const again = await instructor.classStatus(['student1']);
    expect(again.status[0]![column]).toMatchObject({ feedbackSeenAt: null });

    await expect(student.studentTimeline('student1')).rejects.toMatchObject({ status: 403 });
    await expect(instructor.studentTimeline('nobody')).rejects.toMatchObject({ status: 404 });
    await expect(instructor.studentTimeline('bad/name')).rejects.toMatchObject({ status: 400 });
    await instructor.deleteAssignment('tl1');
    await instructor.deleteAssignment('tl2');
  });
  it('follows the class: the changes feed names the students whose rows changed, and those rows are read alone', async () => {
    const start = await instructor.classChanges();
    expectMatchesContract('getClassChanges', 200, start);
    expect(start).toEqual({ cursor: expect.any(Number), students: [], assignments: false });
    // Nothing new: the read waits, then answers the same cursor.
    const began = Date.now();
    expect(await instructor.classChanges(start.cursor, 1)).toEqual({ cursor: start.cursor, students: [], assignments: false });
    expect(Date.now() - began).toBeGreaterThanOrEqual(900);

    // A read waiting when a change happens answers with it, long before its wait is over.
    const waiting = instructor.classChanges(start.cursor, 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const released = Date.now();
    await instructor.releaseFeedback('student2', 'live', { 'notes.txt': 'good' });
    const change = await waiting;
    expect(Date.now() - released).toBeLessThan(5000);
    expect(change.students).toEqual(['student2']);
    expect(change.assignments).toBe(false);
    expect(change.cursor).toBeGreaterThan(start.cursor);

    await instructor.createAssignment({ id: 'live', dueAt: '2030-01-01T10:00:00Z', snapshotAtDue: false });
    await instructor.grantExtension('live', 'student3', '2030-01-02T10:00:00Z');
    const next = await instructor.classChanges(change.cursor, 5);
    expect(next).toMatchObject({ students: ['student3'], assignments: true });

    // The rows of the students named, and only theirs.
    const rows = await instructor.classStatus(['student3', 'student1', 'nobody']);
    expectMatchesContract('getClassStatus', 200, rows);
    expect(rows.students).toEqual(['student1', 'student3']);
    const live = rows.assignments.findIndex((a) => a.id === 'live');
    expect(rows.status[1]![live]).toMatchObject({ student: 'student3', extended: true });

    for (const bad of ['after=-1', 'after=x', 'after=1&wait=31', 'after=1&wait=0.5']) {
      const response = await fetch(`${app.url}${app.prefix}api/v1/changes?${bad}`, {
        headers: { Authorization: `token ${tokenOf('instructor')}` },
      });
      expect(response.status).toBe(400);
    }
    await expect(student.classChanges()).rejects.toMatchObject({ status: 403 });
    await instructor.deleteAssignment('live');
  });
});
