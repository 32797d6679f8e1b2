/** The courses table: every course the service serves, the configured one included. */
import type { Catalog } from '../catalog/catalog';
import { prepareQuery } from '../catalog/prepared';
import type { Selectable } from 'kysely';
import type { CoursesTable } from '../catalog/schema';
import type { Course } from '../config';

export interface CourseGroups {
  instructors: string;
  /** Null: no graders group (a course made before graders existed). */
  graders: string | null;
  students: string;
}

/** What of each home a course captures; null parts: the service's defaults (the whole home, its excludes, no hidden files). */
export interface CourseCapture {
  /** The folder of the home the course's work lives in (`{course}`: the course's id); null: the whole home. */
  folder: string | null;
  exclude: string[] | null;
  includeHidden: boolean | null;
}

/** Every request reads its course: compiled once. */
const selectCourse = prepareQuery((db, p: { id: string }) => db.selectFrom('courses').selectAll().where('id', '=', p.id));

export const NO_CAPTURE_SETTINGS: CourseCapture = { folder: null, exclude: null, includeHidden: null };

export interface CourseRecord {
  id: string;
  title: string;
  capture: CourseCapture;
  /** IANA zone of the course; null: the service's default. */
  timeZone: string | null;
  groups: CourseGroups;
  createdAt: string;
  createdBy: string | null;
  updatedAt: string;
  deletedAt: string | null;
  deletedBy: string | null;
}

export interface NewCourse {
  id: string;
  title: string;
  capture?: CourseCapture;
  timeZone: string | null;
  groups: CourseGroups;
}

export type CourseChanges = Partial<Pick<CourseRecord, 'title' | 'timeZone' | 'groups' | 'capture'>>;

function recordOf(row: Selectable<CoursesTable>): CourseRecord {
  return {
    id: row.id,
    title: row.title,
    timeZone: row.time_zone,
    capture: row.capture ? (JSON.parse(row.capture) as CourseCapture) : NO_CAPTURE_SETTINGS,
    groups: { instructors: row.instructors_group, graders: row.graders_group, students: row.students_group },
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    deletedBy: row.deleted_by,
  };
}

/** Makes the catalog's row for the configured course match the config (it is never deleted while configured). */
export async function syncCourse(db: Catalog, course: Course, now = new Date()): Promise<void> {
  const stamp = now.toISOString();
  const columns = {
    title: course.title,
    instructors_group: course.instructorsGroup,
    graders_group: course.gradersGroup,
    students_group: course.studentsGroup,
    deleted_at: null,
    deleted_by: null,
    updated_at: stamp,
  };
  await db
    .insertInto('courses')
    .values({ id: course.id, ...columns, created_at: stamp })
    .onConflict((oc) => oc.column('id').doUpdateSet(columns))
    .execute();
}

export class CourseStore {
  constructor(private readonly db: Catalog) {}

  /** The course, deleted or not; undefined when there never was one with this id. */
  async get(id: string): Promise<CourseRecord | undefined> {
    const row = (await selectCourse(this.db, { id })).rows[0];
    return row && recordOf(row);
  }

  /** The courses not deleted, by id. */
  async list(): Promise<CourseRecord[]> {
    const rows = await this.db.selectFrom('courses').selectAll().where('deleted_at', 'is', null).orderBy('id').execute();
    return rows.map(recordOf);
  }

  /** The ids of deleted courses: their snapshots and feedback need no blobs any more. */
  async deletedIds(): Promise<string[]> {
    const rows = await this.db.selectFrom('courses').select('id').where('deleted_at', 'is not', null).execute();
    return rows.map((row) => row.id);
  }

  /** Inserts a course; false when the id is taken (by a course that exists or existed). */
  async create(course: NewCourse, by: string, now = new Date()): Promise<boolean> {
    const stamp = now.toISOString();
    const result = await this.db
      .insertInto('courses')
      .values({
        id: course.id,
        title: course.title,
        time_zone: course.timeZone,
        capture: course.capture ? JSON.stringify(course.capture) : null,
        instructors_group: course.groups.instructors,
        graders_group: course.groups.graders,
        students_group: course.groups.students,
        created_at: stamp,
        created_by: by,
        updated_at: stamp,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async update(id: string, changes: CourseChanges, now = new Date()): Promise<void> {
    await this.db
      .updateTable('courses')
      .set({
        ...(changes.title !== undefined && { title: changes.title }),
        ...(changes.timeZone !== undefined && { time_zone: changes.timeZone }),
        ...(changes.capture !== undefined && { capture: JSON.stringify(changes.capture) }),
        ...(changes.groups !== undefined && {
          instructors_group: changes.groups.instructors,
          graders_group: changes.groups.graders,
          students_group: changes.groups.students,
        }),
        updated_at: now.toISOString(),
      })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .execute();
  }

  async markDeleted(id: string, by: string, now = new Date()): Promise<void> {
    const stamp = now.toISOString();
    await this.db
      .updateTable('courses')
      .set({ deleted_at: stamp, deleted_by: by, updated_at: stamp })
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .execute();
  }
}
