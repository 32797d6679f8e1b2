import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Catalog, migrate } from '../catalog/catalog';
import { openTestCatalog } from '../../test/support/test-catalog';
import { GroupMembersCache } from '../hub/group-cache';
import { createLogger } from '../log';
import { Courses } from './courses';
import { MemberStore } from './members';
import { CourseStore, syncCourse } from './store';

let db: Catalog;
let courses: CourseStore;
let members: MemberStore;

beforeEach(async () => {
  db = await openTestCatalog(mkdtempSync(path.join(os.tmpdir(), 'coursework-courses-')));
  await migrate(db, createLogger('fatal'));
  courses = new CourseStore(db);
  members = new MemberStore(db);
});
afterEach(() => db.destroy());

const groups = { instructors: 'ds-instructors', graders: 'ds-graders', students: 'ds-students' };

describe('the courses table', () => {
  it('keeps the configured course in step with the config, undeleting it', async () => {
    const course = { id: 'stat-100', title: 'Statistics', instructorsGroup: 'teachers', gradersGroup: 'tas', studentsGroup: 'learners' };
    await syncCourse(db, course, new Date('2026-01-01T00:00:00Z'));
    await courses.markDeleted('stat-100', 'admin', new Date('2026-01-15T00:00:00Z'));
    await syncCourse(db, { ...course, title: 'Statistics 100' }, new Date('2026-02-01T00:00:00Z'));
    expect(await courses.get('stat-100')).toEqual({
      id: 'stat-100',
      title: 'Statistics 100',
      timeZone: null,
      capture: { folder: null, exclude: null, includeHidden: null },
      groups: { instructors: 'teachers', graders: 'tas', students: 'learners' },
      createdAt: '2026-01-01T00:00:00.000Z',
      createdBy: null,
      updatedAt: '2026-02-01T00:00:00.000Z',
      deletedAt: null,
      deletedBy: null,
    });
  });

  it('creates a course once: an id taken by a course, even a deleted one, is refused', async () => {
    expect(await courses.create({ id: 'ds', title: 'Data Science', timeZone: 'Europe/Paris', groups }, 'alice')).toBe(true);
    expect(await courses.create({ id: 'ds', title: 'Other', timeZone: null, groups }, 'bob')).toBe(false);
    await courses.markDeleted('ds', 'alice');
    expect(await courses.create({ id: 'ds', title: 'Again', timeZone: null, groups }, 'bob')).toBe(false);
    expect((await courses.get('ds'))!).toMatchObject({ title: 'Data Science', createdBy: 'alice', deletedBy: 'alice' });
    expect(await courses.list()).toEqual([]);
  });

  it('changes only what it is given, and nothing of a deleted course', async () => {
    await courses.create({ id: 'ds', title: 'Data Science', timeZone: null, groups }, 'alice');
    await courses.update('ds', { timeZone: 'Asia/Kolkata' });
    expect(await courses.get('ds')).toMatchObject({ title: 'Data Science', timeZone: 'Asia/Kolkata', groups });
    await courses.markDeleted('ds', 'alice');
    await courses.update('ds', { title: 'Changed' });
    expect((await courses.get('ds'))!.title).toBe('Data Science');
  });
});

describe('the roster kept by Coursework', () => {
  beforeEach(async () => {
    await courses.create({ id: 'ds', title: 'Data Science', timeZone: null, groups }, 'alice');
    await courses.create({ id: 'ml', title: 'Machine Learning', timeZone: null, groups }, 'alice');
  });

  it('adds, changes and removes members, one role per user and course', async () => {
    expect(await members.put('ds', 'bob', 'student', 'alice')).toBe('added');
    expect(await members.put('ds', 'bob', 'student', 'alice')).toBe('unchanged');
    expect(await members.put('ds', 'bob', 'grader', 'alice')).toBe('updated');
    expect(await members.put('ml', 'bob', 'student', 'alice')).toBe('added');
    expect(await members.roleOf('ds', 'bob')).toBe('grader');
    expect(await members.roleOf('ml', 'bob')).toBe('student');
    expect((await members.coursesOf('bob')).sort((a, b) => a.course.localeCompare(b.course))).toEqual([
      { course: 'ds', role: 'grader' },
      { course: 'ml', role: 'student' },
    ]);
    expect(await members.list('ds')).toEqual([expect.objectContaining({ user: 'bob', role: 'grader', addedBy: 'alice' })]);
    expect(await members.remove('ds', 'bob')).toBe(true);
    expect(await members.remove('ds', 'bob')).toBe(false);
    expect(await members.roleOf('ds', 'bob')).toBeUndefined();
    expect(await members.count('ml')).toBe(1);
  });

  it('refuses members of a course that does not exist', async () => {
    await expect(members.put('nope', 'bob', 'student', 'alice')).rejects.toThrow(/foreign key/i);
  });
});

describe('courses the settings declare', () => {
  it('are created once, then left to the API, and a deleted one stays deleted', async () => {
    const configured = { id: 'main', title: 'Main', instructorsGroup: 'i', gradersGroup: 'g', studentsGroup: 's' };
    const service = new Courses(db, new GroupMembersCache({ groupMembers: async () => null }, { ttlMs: 60_000 }), {
      configured,
      groupPatterns: { instructors: '{course}-teachers', graders: '{course}-tas', students: '{course}-learners' },
    });
    const declared = { id: 'ml-200', title: 'Machine Learning', groups: { students: 'ml-class' } };
    expect(await service.declare(declared)).toBe('created');
    expect((await courses.get('ml-200'))!).toMatchObject({
      title: 'Machine Learning',
      createdBy: 'settings',
      groups: { instructors: 'ml-200-teachers', graders: 'ml-200-tas', students: 'ml-class' },
    });
    await courses.update('ml-200', { title: 'Renamed through the API' });
    expect(await service.declare(declared)).toBe('exists');
    expect((await courses.get('ml-200'))!.title).toBe('Renamed through the API');
    await courses.markDeleted('ml-200', 'admin');
    expect(await service.declare(declared)).toBe('deleted');
  });
});
