/**
 * The "Feedback" section of the instructor panel: one zip with a folder per student (or nbgrader's
 * `feedback/<student>/<assignment>/`) released to the whole class, and the service's report, student by student.
 */
import type { BulkReleaseReport, CourseworkClient } from '@coursework/client';
import { describeError } from '../common/connection';
import { localInputToIso } from '../common/datetime';
import { h } from '../common/dom';
import { reportRows, reportSummary } from './bulk-report';

export class BulkFeedbackSection {
  constructor(private readonly client: Pick<CourseworkClient, 'releaseFeedbackZip'>) {
    const zip = h('input', { type: 'file', id: 'coursework-bulk-zip', accept: '.zip,application/zip', required: true });
    const assignment = h('input', {
      type: 'text',
      id: 'coursework-bulk-assignment',
      required: true,
      autocomplete: 'off',
      placeholder: 'e.g. ps1',
    });
    const releaseAt = h('input', { type: 'datetime-local', id: 'coursework-bulk-release-at' });
    const submit = h('button', { type: 'submit', class: 'jp-Coursework-button jp-mod-accept' }, 'Upload and release');
    const form = h(
      'form',
      { class: 'jp-Coursework-form jp-Coursework-grid', 'aria-labelledby': 'coursework-bulk-title' },
      h('label', { for: 'coursework-bulk-zip' }, 'Zip, a folder per student'),
      zip,
      h('label', { for: 'coursework-bulk-assignment' }, 'Assignment'),
      assignment,
      h('label', { for: 'coursework-bulk-release-at' }, 'Release at (optional)'),
      releaseAt,
      h('div', { class: 'jp-Coursework-grid-wide' }, submit),
    );
    // The zip's name is a good guess of the assignment's (nbgrader exports `ps1.zip`).
    zip.addEventListener('change', () => {
      const name = zip.files?.[0]?.name.replace(/\.zip$/i, '');
      if (name && !assignment.value) assignment.value = name;
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const file = zip.files?.[0];
      submit.disabled = true;
      void this.release(file, assignment.value.trim(), releaseAt.value).finally(() => {
        submit.disabled = false;
      });
    });
    this.node = h(
      'section',
      { class: 'jp-Coursework-section jp-Coursework-BulkFeedbackSection', 'aria-labelledby': 'coursework-bulk-title' },
      h('h3', { id: 'coursework-bulk-title' }, 'Feedback'),
      h(
        'p',
        { class: 'jp-Coursework-note' },
        'Release the whole class’s feedback from one zip. To release to one student, right-click files in the file browser.',
      ),
      form,
      this.message,
      this.reportHost,
    );
  }

  readonly node: HTMLElement;

  /** Nothing to let go of: the section holds no signal connections. */
  dispose(): void {}

  /** The last report shown (for tests and for reading it again). */
  report: BulkReleaseReport | null = null;

  private async release(file: File | undefined, assignment: string, releaseAtInput: string): Promise<void> {
    this.reportHost.replaceChildren();
    try {
      if (!file) throw new Error('Choose a zip file');
      if (!assignment) throw new Error('Give the assignment');
      const releaseAt = localInputToIso(releaseAtInput);
      this.show('Uploading…', false);
      this.report = await this.client.releaseFeedbackZip(assignment, file, releaseAt ? { releaseAt } : {});
      this.show(reportSummary(this.report), false);
      this.reportHost.replaceChildren(this.table(this.report));
    } catch (error) {
      this.show(`Could not release the zip: ${describeError(error)}`, true);
    }
  }

  private show(text: string, error: boolean): void {
    this.message.textContent = text;
    this.message.classList.toggle('jp-mod-error', error);
  }

  private table(report: BulkReleaseReport): HTMLElement {
    const list = (items: string[]) =>
      items.length === 0 ? '—' : h('ul', { class: 'jp-Coursework-cell-list' }, ...items.map((item) => h('li', {}, item)));
    return h(
      'table',
      { class: 'jp-Coursework-table jp-Coursework-report-table' },
      h('caption', { class: 'jp-Coursework-visually-hidden' }, `What the zip released for “${report.assignment}”`),
      h('thead', {}, h('tr', {}, ...['Folder', 'Outcome', 'Released', 'Rejected'].map((label) => h('th', { scope: 'col' }, label)))),
      h(
        'tbody',
        {},
        ...reportRows(report).map((row) =>
          h(
            'tr',
            { class: `jp-mod-${row.status}` },
            h('th', { scope: 'row' }, row.student ?? h('em', {}, 'outside student folders')),
            h('td', {}, row.label),
            h('td', {}, list(row.released)),
            h('td', {}, list(row.rejected)),
          ),
        ),
      ),
    );
  }

  private readonly message = h('p', { class: 'jp-Coursework-message', role: 'status', 'aria-live': 'polite' });
  // A wide table scrolls, and Chromium then stops Tab on its box: as a named region it says what it holds.
  private readonly reportHost = h('div', {
    class: 'jp-Coursework-table-host jp-Coursework-scroll',
    role: 'region',
    'aria-label': 'What the zip released',
  });
}
