import { DEMO_COURSE, myAssignment } from '../testing/my-assignment';
import type { MyFeedbackAssignment } from '@coursework/client';
import { dueDateGroups, dueDateItems, markSeen, newFeedback, parseSeen, shortDigest } from './due-dates';

const course = DEMO_COURSE;
const assignment = myAssignment;
const now = new Date('2026-11-23T12:00:00Z');
const format = (iso: string) => `at ${iso}`;

describe('dueDateItems', () => {
  it('puts upcoming due dates first (soonest first), then past ones (latest first)', () => {
    const items = dueDateItems(
      [
        assignment('ps3', '2026-12-10T17:00:00Z'),
        assignment('ps1', '2026-11-01T17:00:00Z'),
        assignment('ps2', '2026-11-30T17:00:00Z', { extended: true }),
        assignment('ps0', '2026-10-01T17:00:00Z'),
      ],
      now,
      format,
    );
    expect(items.map((i) => [i.id, i.past, i.extended])).toEqual([
      ['ps2', false, true],
      ['ps3', false, false],
      ['ps1', true, false],
      ['ps0', true, false],
    ]);
    expect(items[0]).toMatchObject({ title: 'PS2', dueAtLocal: '2026-11-30 17:00 (UTC)', captured: null, receiptTitle: null });
  });

  it('marks a captured assignment with the time of its receipt and its shortened digest', () => {
    const receipt = {
      snapshot: 'ps1_2026-11-01',
      takenAt: '2026-11-01T17:00:02Z',
      files: 7,
      bytes: 900,
      manifestSha256: 'abcdef0123456789'.repeat(4),
      lateBySeconds: null,
    };
    const [captured] = dueDateItems([assignment('ps1', '2026-11-01T17:00:00Z', { status: 'captured', receipt })], now, format);
    expect(captured!.captured).toBe('captured ✓ at 2026-11-01T17:00:02Z');
    expect(captured!.receiptTitle).toBe('Receipt ps1_2026-11-01: 7 files, manifest SHA-256 abcdef012345…');
    // A receipt of an earlier due time does not count while the current one is not captured.
    const [moved] = dueDateItems([assignment('ps1', '2026-11-01T17:00:00Z', { status: 'due', receipt })], now, format);
    expect(moved!.captured).toBeNull();
  });

  it('falls back to the id for an untitled assignment', () => {
    expect(dueDateItems([assignment('lab', '2026-12-01T00:00:00Z', { title: '' })], now, format)[0]!.title).toBe('lab');
    expect(shortDigest('0123456789abcdef')).toBe('0123456789ab');
  });
});

describe('new feedback', () => {
  const listing: MyFeedbackAssignment[] = [
    { assignment: 'ps1', course, releasedAt: '2026-11-20T10:00:00Z', files: [] },
    { assignment: 'ps2', course, releasedAt: '2026-11-22T10:00:00Z', files: [] },
  ];

  it('is every assignment never looked at, and those released again since', () => {
    expect(newFeedback(listing, {})).toEqual(['ps1', 'ps2']);
    const seen = markSeen(listing, {});
    expect(seen).toEqual({ 'demo-101/ps1': '2026-11-20T10:00:00Z', 'demo-101/ps2': '2026-11-22T10:00:00Z' });
    expect(newFeedback(listing, seen)).toEqual([]);
    const later = [listing[0]!, { ...listing[1]!, releasedAt: '2026-11-23T09:00:00.000Z' }];
    expect(newFeedback(later, seen)).toEqual(['ps2']);
  });

  it('names assignments by course when there are several, and keeps what was seen before courses', () => {
    const other = { id: 'ml-200', title: 'Machine Learning' };
    const both = [...listing, { assignment: 'ps1', course: other, releasedAt: '2026-11-21T10:00:00Z', files: [] }];
    expect(newFeedback(both, { ps2: '2026-11-22T10:00:00Z' })).toEqual(['demo-101/ps1', 'ml-200/ps1']);
    expect(newFeedback(both, markSeen(both, {}))).toEqual([]);
  });

  it('reads back only what it stored, anything else as never looked', () => {
    expect(parseSeen(JSON.stringify({ ps1: '2026-11-20T10:00:00Z', bad: 3 }))).toEqual({ ps1: '2026-11-20T10:00:00Z' });
    expect(parseSeen(null)).toEqual({});
    expect(parseSeen('not json')).toEqual({});
    expect(parseSeen('[1]')).toEqual({});
  });
});

describe('dueDateGroups', () => {
  it('groups due dates by course, in the order the service lists them', () => {
    const other = { id: 'ml-200', title: 'Machine Learning' };
    const groups = dueDateGroups(
      [
        assignment('ps1', '2030-01-01T00:00:00Z'),
        assignment('proj', '2030-02-01T00:00:00Z', { course: other }),
        assignment('ps2', '2029-01-01T00:00:00Z'),
      ],
      new Date('2028-01-01T00:00:00Z'),
    );
    expect(groups.map((g) => [g.course.id, g.items.map((i) => i.id)])).toEqual([
      ['demo-101', ['ps2', 'ps1']],
      ['ml-200', ['proj']],
    ]);
  });
});
