import type { StudentTimeline } from '@coursework/client';
import { describeEvent, timelineSpec } from './timeline';

const timeline: StudentTimeline = {
  student: 'ada',
  course: { id: 'c', title: 'C' },
  dues: [
    { assignment: 'hw1', title: 'Homework 1', dueAt: '2026-11-20T17:00:00.000Z', extended: false },
    { assignment: 'hw2', title: '', dueAt: '2026-11-29T17:00:00.000Z', extended: true },
  ],
  events: [
    { at: '2026-11-20T17:00:02.000Z', kind: 'capture', assignment: 'hw1', what: 'hw1_2026-11-20', by: 'coursework', files: 3, bytes: 10 },
    { at: '2026-11-21T09:00:00.000Z', kind: 'feedback-released', assignment: 'hw1', what: 'hw1', by: 'prof', files: 1 },
    { at: '2026-11-21T10:00:00.000Z', kind: 'feedback-viewed', assignment: 'hw1', what: 'report.html', by: 'ada' },
  ],
  truncated: false,
};

describe('the timeline', () => {
  it('says each event in words', () => {
    const line = describeEvent(timeline.events[0]!);
    expect(line).toContain(' · hw1 · deadline capture hw1_2026-11-20 (3 files) · by coursework');
    expect(describeEvent(timeline.events[2]!)).toContain('feedback opened by the student report.html · by ada');
    expect(describeEvent({ at: 'x', kind: 'snapshot', assignment: null, what: 'mine_2026-11-20', by: 'prof', files: 1 })).toBe(
      'x · snapshot mine_2026-11-20 (1 file) · by prof',
    );
  });

  it('draws a point per event on its row and a rule per due time, dashed when extended', () => {
    const spec = timelineSpec(timeline) as { layer: { data: { values: Record<string, unknown>[] }; mark: { type: string } }[] };
    const [rules, points] = spec.layer;
    expect(rules!.mark.type).toBe('rule');
    expect(rules!.data.values).toEqual([
      { at: '2026-11-20T17:00:00.000Z', label: 'Homework 1 due', extended: false },
      { at: '2026-11-29T17:00:00.000Z', label: 'hw2 due (extended)', extended: true },
    ]);
    expect(points!.mark.type).toBe('point');
    expect(points!.data.values.map((v) => [v.row, v.kind])).toEqual([
      ['Snapshots', 'deadline capture'],
      ['Feedback', 'feedback released'],
      ['Feedback', 'feedback opened by the student'],
    ]);
  });
});
