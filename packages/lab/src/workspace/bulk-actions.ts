/**
 * What the class workspace does to a selection of students: each action reports its progress as it goes and ends
 * with an outcome per student (one student's failure says why and does not stop the others).
 */
import { type CourseworkClient, jobEnded } from '@coursework/client';
import { describeError } from '../common/connection';
import { joinPath } from '../common/models';
import { type ContentsReader, releaseSelection } from '../feedback/release-files';
import { outcomeProblem } from '../snapshots/outcomes';

export interface BulkOutcome {
  student: string;
  ok: boolean;
  /** What happened: "granted until …", or why not. */
  message: string;
}

export interface BulkProgress {
  done: number;
  total: number;
}

export type OnProgress = (progress: BulkProgress) => void;

/** Runs `work` for every student, a few at a time; `work` answers what it did, or throws why it could not. */
export async function forEachStudent(
  students: readonly string[],
  work: (student: string) => Promise<string>,
  onProgress: OnProgress,
  concurrency = 4,
): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = new Array(students.length);
  let next = 0;
  let done = 0;
  onProgress({ done, total: students.length });
  await Promise.all(
    Array.from({ length: Math.min(concurrency, students.length) }, async () => {
      while (next < students.length) {
        const index = next++;
        const student = students[index]!;
        try {
          outcomes[index] = { student, ok: true, message: await work(student) };
        } catch (error) {
          outcomes[index] = { student, ok: false, message: describeError(error) };
        }
        onProgress({ done: ++done, total: students.length });
      }
    }),
  );
  return outcomes;
}

/** How a due time moves: by some hours from each student's own due time, or to one time for all. */
export type DueChange = { hours: number } | { dueAt: string };

/** The new due time of a student whose due time (with any extension) is `current`. */
export function changedDueAt(current: string, change: DueChange): string {
  if ('dueAt' in change) return new Date(change.dueAt).toISOString();
  return new Date(new Date(current).getTime() + change.hours * 3600_000).toISOString();
}

/** Grants each student an extension on `assignment`; `dueAtOf` gives a student's current due time. */
export function grantExtensions(
  client: CourseworkClient,
  assignment: string,
  students: readonly string[],
  dueAtOf: (student: string) => string,
  change: DueChange,
  onProgress: OnProgress,
): Promise<BulkOutcome[]> {
  return forEachStudent(
    students,
    async (student) => {
      const dueAt = changedDueAt(dueAtOf(student), change);
      await client.grantExtension(assignment, student, dueAt);
      return `due ${new Date(dueAt).toLocaleString()}`;
    },
    onProgress,
  );
}

/** Withdraws the feedback released to each student on `assignment`. */
export function withdrawFeedback(
  client: CourseworkClient,
  assignment: string,
  students: readonly string[],
  onProgress: OnProgress,
): Promise<BulkOutcome[]> {
  return forEachStudent(
    students,
    async (student) => {
      await client.withdrawFeedback(student, assignment);
      return 'withdrawn';
    },
    onProgress,
  );
}

/**
 * Releases feedback to each student from their own subfolder of `folder` in the instructor's home
 * (`<folder>/<student>/…`, read through JupyterLab's contents manager), on `assignment`.
 */
export function releaseFromFolder(
  client: CourseworkClient,
  contents: ContentsReader,
  assignment: string,
  folder: string,
  students: readonly string[],
  onProgress: OnProgress,
): Promise<BulkOutcome[]> {
  return forEachStudent(
    students,
    async (student) => {
      const path = joinPath(folder.replace(/^\/+|\/+$/g, ''), student);
      try {
        await contents.get(path, { content: false });
      } catch {
        throw new Error(`no folder ${path}`);
      }
      const { paths } = await releaseSelection(client, contents, [{ path, type: 'directory' }], { student, assignment, options: {} });
      return `released ${paths.length === 1 ? paths[0]! : `${paths.length} files`}`;
    },
    onProgress,
  );
}

/** A snapshot of the students now, followed to its end; `name` as the snapshot form takes it. */
export async function captureNow(
  client: CourseworkClient,
  students: readonly string[],
  name: string,
  onProgress: OnProgress,
  options: { pollIntervalMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<BulkOutcome[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let { job } = await client.snapshot({ name, students: [...students] });
  onProgress({ done: job.done, total: job.total });
  while (!jobEnded(job)) {
    await sleep(options.pollIntervalMs ?? 500);
    job = await client.job(job.id);
    onProgress({ done: job.done, total: job.total });
  }
  return students.map((student) => {
    const outcome = job.students[student];
    if (!outcome) return { student, ok: false, message: job.error ?? 'not in the job' };
    const problem = outcomeProblem(outcome);
    return problem ? { student, ok: false, message: problem } : { student, ok: true, message: `captured as ${job.name}` };
  });
}

/** "5 granted, 1 failed" */
export function summary(outcomes: readonly BulkOutcome[], verb: string): string {
  const failed = outcomes.filter((outcome) => !outcome.ok).length;
  const ok = outcomes.length - failed;
  return failed === 0 ? `${ok} ${verb}` : `${ok} ${verb}, ${failed} failed`;
}
