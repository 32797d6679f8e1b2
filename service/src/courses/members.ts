/** The course_members table: the roster Coursework keeps itself, one role per user and course. */
import type { Catalog } from '../catalog/catalog';
import { prepareQuery } from '../catalog/prepared';
import type { MemberRole } from '../catalog/schema';

/** Every request reads its caller's role: compiled once. */
const selectRole = prepareQuery((db, p: { course: string; user: string }) =>
  db.selectFrom('course_members').select('role').where('course_id', '=', p.course).where('user', '=', p.user),
);

export type { MemberRole };

export interface Member {
  user: string;
  role: MemberRole;
  addedBy: string;
  addedAt: string;
  updatedAt: string;
}

export class MemberStore {
  constructor(private readonly db: Catalog) {}

  async list(course: string): Promise<Member[]> {
    const rows = await this.db.selectFrom('course_members').selectAll().where('course_id', '=', course).orderBy('user').execute();
    return rows.map((row) => ({ user: row.user, role: row.role, addedBy: row.added_by, addedAt: row.added_at, updatedAt: row.updated_at }));
  }

  /** The user's role in the course, if the roster kept here has one. */
  async roleOf(course: string, user: string): Promise<MemberRole | undefined> {
    return (await selectRole(this.db, { course, user })).rows[0]?.role;
  }

  /** The courses where the roster kept here gives the user a role. */
  async coursesOf(user: string): Promise<{ course: string; role: MemberRole }[]> {
    const rows = await this.db.selectFrom('course_members').select(['course_id', 'role']).where('user', '=', user).execute();
    return rows.map((row) => ({ course: row.course_id, role: row.role }));
  }

  /** Adds the user with `role`, or changes their role; says which. */
  async put(course: string, user: string, role: MemberRole, by: string, now = new Date()): Promise<'added' | 'updated' | 'unchanged'> {
    const stamp = now.toISOString();
    return this.db.transaction().execute(async (tx) => {
      const existing = await tx
        .selectFrom('course_members')
        .select('role')
        .where('course_id', '=', course)
        .where('user', '=', user)
        .executeTakeFirst();
      if (existing?.role === role) return 'unchanged';
      if (existing) {
        await tx
          .updateTable('course_members')
          .set({ role, updated_at: stamp })
          .where('course_id', '=', course)
          .where('user', '=', user)
          .execute();
        return 'updated';
      }
      await tx
        .insertInto('course_members')
        .values({ course_id: course, user, role, added_by: by, added_at: stamp, updated_at: stamp })
        .execute();
      return 'added';
    });
  }

  /** Removes the user from the roster kept here; false when they were not on it. */
  async remove(course: string, user: string): Promise<boolean> {
    const result = await this.db.deleteFrom('course_members').where('course_id', '=', course).where('user', '=', user).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async count(course: string): Promise<number> {
    const row = await this.db
      .selectFrom('course_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('course_id', '=', course)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
