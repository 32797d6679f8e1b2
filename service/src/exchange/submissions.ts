/**
 * The exchange_submissions table: what students submitted through nbgrader's exchange. Each submission is also
 * recorded as a snapshot of the student (`<assignment>-submission-<n>_<date>`), in the same transaction, so that
 * instructors browse, download and zip it like any capture of the student's work.
 */
import type { ManifestEntry } from '@coursework/client';
import type { Catalog } from '../catalog/catalog';
import { GroupCommit } from '../catalog/group-commit';
import { prepareQuery } from '../catalog/prepared';
import type { ExchangeFile } from '../catalog/schema';
import { recordAudit } from '../audit/audit';
import { fullSnapshotName, slugify } from '../names';
import { manifestDigest } from '../snapshots/home-scan';
import { insertSnapshot } from '../snapshots/queries';
import { microsOfWireTimestamp, wireTimestamp } from './wire';

export interface Submission {
  student: string;
  assignment: string;
  timestamp: string;
  submittedAt: string;
  snapshot: string;
  files: ExchangeFile[];
  bytes: number;
  manifestSha256: string;
  /** The student's own due time when they submitted, if the assignment had one. */
  dueAt: string | null;
  lateBySeconds: number | null;
}

export interface NewSubmission {
  student: string;
  assignment: string;
  timestamp: string;
  at: Date;
  files: ExchangeFile[];
  dueAt: string | null;
}

type Row = {
  student: string;
  assignment_id: string;
  timestamp: string;
  submitted_at: string;
  snapshot_name: string;
  files: string;
  bytes: number;
  manifest_sha256: string;
  due_at: string | null;
  late_by_seconds: number | null;
};

function submissionOf(row: Row): Submission {
  return {
    student: row.student,
    assignment: row.assignment_id,
    timestamp: row.timestamp,
    submittedAt: row.submitted_at,
    snapshot: row.snapshot_name,
    files: JSON.parse(row.files) as ExchangeFile[],
    bytes: row.bytes,
    manifestSha256: row.manifest_sha256,
    dueAt: row.due_at,
    lateBySeconds: row.late_by_seconds,
  };
}

/** What collecting reads for each student: compiled once. */
const selectLatest = prepareQuery((db, p: { courseId: string; assignment: string; student: string }) =>
  db
    .selectFrom('exchange_submissions')
    .selectAll()
    .where('course_id', '=', p.courseId)
    .where('assignment_id', '=', p.assignment)
    .where('student', '=', p.student)
    .orderBy('timestamp', 'desc')
    .limit(1),
);
const selectAt = prepareQuery((db, p: { courseId: string; assignment: string; student: string; timestamp: string }) =>
  db
    .selectFrom('exchange_submissions')
    .selectAll()
    .where('course_id', '=', p.courseId)
    .where('assignment_id', '=', p.assignment)
    .where('student', '=', p.student)
    .where('timestamp', '=', p.timestamp),
);

const selectCountAndLatest = prepareQuery((db, p: { courseId: string; assignment: string; student: string }) =>
  db
    .selectFrom('exchange_submissions')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('timestamp').as('latest')])
    .where('course_id', '=', p.courseId)
    .where('assignment_id', '=', p.assignment)
    .where('student', '=', p.student),
);

export class ExchangeSubmissions {
  constructor(
    private readonly db: Catalog,
    private readonly courseId: string,
    private readonly timeZone: string,
    /** Submissions arriving together commit together (one fsync of the catalog for the lot). */
    private readonly commits: GroupCommit = new GroupCommit(db),
  ) {}

  private ofAssignment(assignment: string) {
    return this.db
      .selectFrom('exchange_submissions')
      .selectAll()
      .where('course_id', '=', this.courseId)
      .where('assignment_id', '=', assignment);
  }

  /** Every submission of the assignment (of one student when named), oldest first. */
  async list(assignment: string, student?: string): Promise<Submission[]> {
    let query = this.ofAssignment(assignment);
    if (student !== undefined) query = query.where('student', '=', student);
    return (await query.orderBy('timestamp').orderBy('student').execute()).map(submissionOf);
  }

  /** Each student's latest submission of the assignment. */
  async latestByStudent(assignment: string): Promise<Map<string, Submission>> {
    const latest = new Map<string, Submission>();
    for (const submission of await this.list(assignment)) latest.set(submission.student, submission);
    return latest;
  }

  /** The student's submission with that timestamp, or their latest. */
  async get(assignment: string, student: string, timestamp?: string): Promise<Submission | undefined> {
    const key = { courseId: this.courseId, assignment, student };
    const { rows } = timestamp === undefined ? await selectLatest(this.db, key) : await selectAt(this.db, { ...key, timestamp });
    return rows[0] && submissionOf(rows[0]);
  }

  /**
   * Records a submission and its snapshot at once. Its timestamp is the one asked for, or a microsecond after the
   * student's latest when that is not later (a clock that stepped back, two submissions in one microsecond).
   */
  async add(input: NewSubmission): Promise<Submission> {
    const submittedAt = input.at.toISOString();
    const manifest: ManifestEntry[] = input.files.map((file) => ({
      path: file.path,
      type: 'file',
      size: file.size,
      mode: 0o644,
      mtime: submittedAt,
      sha256: file.sha256,
    }));
    manifest.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const manifestJson = JSON.stringify(manifest);
    const manifestSha256 = manifestDigest(manifestJson);
    const bytes = input.files.reduce((sum, file) => sum + file.size, 0);
    const lateBySeconds = input.dueAt === null ? null : Math.max(0, Math.floor((input.at.getTime() - Date.parse(input.dueAt)) / 1000));
    return this.commits.run(async (trx) => {
      const clash = (await selectCountAndLatest(trx, { courseId: this.courseId, assignment: input.assignment, student: input.student }))
        .rows[0]!;
      const timestamp =
        clash.latest !== null && clash.latest >= input.timestamp
          ? wireTimestamp(microsOfWireTimestamp(clash.latest) + 1n)
          : input.timestamp;
      // The n-th submission's snapshot; a name taken already (a deleted snapshot keeps its name) moves to the next.
      let snapshot = '';
      for (let attempt = Number(clash.n) + 1; snapshot === ''; attempt++) {
        const baseName = `${slugify(input.assignment).slice(0, 80)}-submission-${attempt}`;
        const name = fullSnapshotName(baseName, input.at, this.timeZone);
        const inserted = await insertSnapshot(trx, {
          courseId: this.courseId,
          student: input.student,
          name,
          baseName,
          takenAt: submittedAt,
          takenBy: input.student,
          jobId: null,
          includeHidden: 1,
          files: manifest.length,
          bytes,
          manifestSha256,
          manifest: manifestJson,
          skipped: '[]',
        });
        if (Number(inserted.numAffectedRows ?? 0n) > 0) snapshot = name;
      }
      await trx
        .insertInto('exchange_submissions')
        .values({
          course_id: this.courseId,
          assignment_id: input.assignment,
          student: input.student,
          timestamp,
          submitted_at: submittedAt,
          snapshot_name: snapshot,
          files: JSON.stringify(input.files),
          file_count: input.files.length,
          bytes,
          manifest_sha256: manifestSha256,
          due_at: input.dueAt,
          late_by_seconds: lateBySeconds,
        })
        .execute();
      await recordAudit(
        trx,
        {
          courseId: this.courseId,
          actor: input.student,
          action: 'exchange.submitted',
          target: `${input.student}/${input.assignment}`,
          detail: { timestamp, snapshot, files: manifest.length, bytes, manifestSha256, lateBySeconds },
        },
        input.at,
      );
      return {
        student: input.student,
        assignment: input.assignment,
        timestamp,
        submittedAt,
        snapshot,
        files: input.files,
        bytes,
        manifestSha256,
        dueAt: input.dueAt,
        lateBySeconds,
      };
    });
  }
}

/** Each file of each submission of a live course, for the store check. */
export async function submissionBlobReferences(
  db: Catalog,
  deletedCourses: readonly string[] = [],
): Promise<{ sha256: string; label: string }[]> {
  let query = db.selectFrom('exchange_submissions').select(['course_id', 'assignment_id', 'student', 'timestamp', 'files']);
  if (deletedCourses.length > 0) query = query.where('course_id', 'not in', deletedCourses);
  return (await query.execute()).flatMap((row) =>
    (JSON.parse(row.files) as ExchangeFile[]).map((file) => ({
      sha256: file.sha256,
      label: `exchange submission ${row.course_id}/${row.assignment_id}/${row.student} ${row.timestamp}: ${file.path}`,
    })),
  );
}
