import type { RosterReport } from '@coursework/client';
import { rosterReportSummary, sourcesText } from './roster-section';

describe('the roster section', () => {
  it('says what a bulk answer did, and that refused rows changed nothing', () => {
    const report: RosterReport = { added: 2, updated: 0, unchanged: 1, failed: 1, rows: [] };
    expect(rosterReportSummary(report)).toBe('Added 2, changed 0, unchanged 1; 1 row refused, changing nothing');
    expect(rosterReportSummary({ ...report, failed: 0 })).toBe('Added 2, changed 0, unchanged 1');
  });

  it('says where each role comes from', () => {
    expect(
      sourcesText({
        user: 'ada',
        roles: ['student'],
        sources: [
          { role: 'student', from: 'group', group: 'ml-200-students' },
          { role: 'student', from: 'coursework', addedBy: 'alice', addedAt: '2026-11-28T00:00:00Z' },
        ],
      }),
    ).toBe('student by group ml-200-students; student, added by alice');
  });
});
