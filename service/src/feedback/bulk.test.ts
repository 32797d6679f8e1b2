import { buildZip } from '../../test/support/zip-builder';
import { BulkArchiveError, type BulkLimits, planBulkRelease } from './bulk';

const LIMITS: BulkLimits = {
  maxEntries: 100,
  maxRatio: 100,
  maxTotalBytes: 50 * 1024 * 1024,
  maxFileBytes: 20 * 1024 * 1024,
  maxReleaseBytes: 30 * 1024 * 1024,
  extensions: ['.html', '.txt', '.ipynb'],
};
const ROSTER = new Set(['student1', 'student2', 'student3']);

describe('planning a bulk release', () => {
  it("follows nbgrader's feedback/<student>/<assignment>/ layout", () => {
    const zip = buildZip([
      { name: 'feedback/student1/ps1/ps1.html', content: '<p>1</p>' },
      { name: 'feedback/student2/ps1/ps1.html', content: '<p>2</p>' },
      { name: 'feedback/student2/ps1/extra/notes.txt', content: 'n' },
    ]);
    const plan = planBulkRelease(zip, 'ps1', ROSTER, LIMITS);
    expect(plan.students).toEqual({
      student1: { status: 'released', files: ['ps1.html'], rejected: [] },
      student2: { status: 'released', files: ['ps1.html', 'extra/notes.txt'], rejected: [] },
    });
    expect(plan.releases.get('student2')!.map((f) => [f.path, f.bytes().toString()])).toEqual([
      ['ps1.html', '<p>2</p>'],
      ['extra/notes.txt', 'n'],
    ]);
  });

  it('takes plain <student>/ folders too', () => {
    const plan = planBulkRelease(buildZip([{ name: 'student3/report.txt', content: 'r' }]), 'ps1', ROSTER, LIMITS);
    expect(plan.students.student3).toEqual({ status: 'released', files: ['report.txt'], rejected: [] });
  });

  it('reports each hostile or unwanted entry with its reason and releases none of them', () => {
    const zip = buildZip([
      { name: 'student1/good.html', content: 'ok' },
      { name: 'student1/link.html', content: '/etc/passwd', mode: 0o120777 },
      { name: 'student1/tool.exe', content: 'MZ' },
      { name: 'student1/.hidden.txt', content: 'h' },
      { name: 'student2/bomb.txt', content: Buffer.alloc(10 * 1024 * 1024) },
      { name: 'student2/liar.txt', content: Buffer.alloc(100_000, 1), declaredSize: 10 },
      { name: 'ghost/hello.txt', content: 'who?' },
      { name: '../escape.txt', content: 'x' },
      { name: '/etc/cron.d/evil.txt', content: 'x' },
      { name: 'student3\\win.txt', content: 'x' },
      { name: 'loose.txt', content: 'x' },
    ]);
    const plan = planBulkRelease(zip, 'ps1', ROSTER, LIMITS);
    expect(plan.students.student1!.status).toBe('released');
    expect(plan.students.student1!.files).toEqual(['good.html']);
    expect(plan.students.student1!.rejected.map((r) => [r.path, r.reason])).toEqual([
      ['link.html', 'symbolic links are not accepted'],
      ['tool.exe', expect.stringMatching(/\.exe files are not accepted/)],
      ['.hidden.txt', expect.stringMatching(/hidden/)],
    ]);
    expect(plan.students.student2!.status).toBe('rejected');
    expect(plan.students.student2!.rejected.map((r) => r.reason)).toEqual([
      expect.stringMatching(/zip bomb/),
      expect.stringMatching(/more than its declared size/),
    ]);
    expect(plan.students.ghost).toEqual({
      status: 'unknown-student',
      files: [],
      rejected: [{ path: 'hello.txt', reason: 'ghost is not a student of this course' }],
    });
    expect(plan.rejected.map((r) => r.path)).toEqual(['../escape.txt', '/etc/cron.d/evil.txt', 'student3\\win.txt', 'loose.txt']);
    expect([...plan.releases.keys()]).toEqual(['student1']);
  });

  it("keeps each student's release under its cap", () => {
    const big = Buffer.alloc(20 * 1024 * 1024, 7);
    const zip = buildZip([
      { name: 'student1/a.txt', content: big, deflate: false },
      { name: 'student1/b.txt', content: big, deflate: false },
    ]);
    const plan = planBulkRelease(zip, 'ps1', ROSTER, LIMITS);
    expect(plan.students.student1!.files).toEqual(['a.txt']);
    expect(plan.students.student1!.rejected[0]!.reason).toMatch(/exceed .* the limit for one release/);
  });

  it('refuses the whole archive when it declares too much, before inflating anything', () => {
    const zip = buildZip([{ name: 'student1/a.txt', content: 'x', declaredSize: 60 * 1024 * 1024 }]);
    expect(() => planBulkRelease(zip, 'ps1', ROSTER, LIMITS)).toThrow(BulkArchiveError);
    expect(() => planBulkRelease(Buffer.from('nope'), 'ps1', ROSTER, LIMITS)).toThrow(/not a zip|too short/);
  });
});
