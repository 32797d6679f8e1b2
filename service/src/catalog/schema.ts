/** Table types of the catalog, as Kysely sees them. Every course-owned row carries `course_id`. */
import type { ColumnType, Generated } from 'kysely';

export interface CoursesTable {
  id: string;
  title: string;
  instructors_group: string;
  students_group: string;
  created_at: ColumnType<string, string, never>;
  updated_at: string;
}

export interface AuditEventsTable {
  id: Generated<number>;
  course_id: string;
  /** ISO-8601 UTC. */
  at: string;
  actor: string;
  action: string;
  target: string;
  /** JSON object with details. */
  detail: string;
}

export interface CatalogSchema {
  courses: CoursesTable;
  audit_events: AuditEventsTable;
}
