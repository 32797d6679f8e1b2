/** The exchange_profiles table: the first and last names and e-mail address nbgrader keeps per course member. */
import type { Catalog } from '../catalog/catalog';

export interface Profile {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
}

const NONE: Profile = { first_name: null, last_name: null, email: null };

export class ExchangeProfiles {
  constructor(
    private readonly db: Catalog,
    private readonly courseId: string,
  ) {}

  /** Each named user's profile (empty for those without one). */
  async of(users: readonly string[]): Promise<Map<string, Profile>> {
    const found = new Map<string, Profile>(users.map((user) => [user, NONE]));
    if (users.length === 0) return found;
    const rows = await this.db
      .selectFrom('exchange_profiles')
      .selectAll()
      .where('course_id', '=', this.courseId)
      .where('user', 'in', [...users])
      .execute();
    for (const row of rows) found.set(row.user, { first_name: row.first_name, last_name: row.last_name, email: row.email });
    return found;
  }

  async put(user: string, profile: Profile): Promise<void> {
    await this.db
      .insertInto('exchange_profiles')
      .values({ course_id: this.courseId, user, ...profile })
      .onConflict((oc) => oc.columns(['course_id', 'user']).doUpdateSet(profile))
      .execute();
  }
}
