/**
 * The "Assignments" section of the instructor panel: the course's assignments, a form to create one, and for the
 * one selected its per-student status (CSV download, extensions, "Capture now"). Plain DOM under one node, which
 * the instructor panel hosts; the forms are built once so that typing survives the re-renders.
 */
import type { Student } from '@coursework/client';
import { describeError, type ServiceConnection } from '../common/connection';
import { h } from '../common/dom';
import { downloadFrom } from '../common/download';
import type { AssignmentsModel, StatusRow } from './assignments-model';

/** What the user may change (graders read the assignments and their status, and change nothing). */
export interface AssignmentRights {
  create: boolean;
  extend: boolean;
  capture: boolean;
}

const ALL_RIGHTS: AssignmentRights = { create: true, extend: true, capture: true };

export class AssignmentsSection {
  constructor(
    private readonly model: AssignmentsModel,
    private readonly connection: ServiceConnection,
    private readonly rights: AssignmentRights = ALL_RIGHTS,
  ) {
    const reload = h('button', { type: 'button', class: 'jp-Coursework-button', title: 'Read the assignments again' }, 'Reload');
    reload.addEventListener('click', () => void this.model.refresh());
    this.node = h(
      'section',
      { class: 'jp-Coursework-section jp-Coursework-AssignmentsSection', 'aria-labelledby': 'coursework-assignments-title' },
      h('div', { class: 'jp-Coursework-section-head' }, h('h3', { id: 'coursework-assignments-title' }, 'Assignments'), reload),
      this.message,
      this.list,
      ...(rights.create ? [this.buildCreateForm()] : []),
      this.notice,
      this.statusHost,
    );
    this.buildStatusFrame();
    this.model.changed.connect(this.render, this);
    this.render();
  }

  readonly node: HTMLElement;

  dispose(): void {
    this.model.changed.disconnect(this.render, this);
  }

  private buildCreateForm(): HTMLElement {
    const id = h('input', {
      type: 'text',
      id: 'coursework-assignment-id',
      required: true,
      autocomplete: 'off',
      placeholder: 'e.g. ps1',
      pattern: '[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}',
    });
    const title = h('input', { type: 'text', id: 'coursework-assignment-title', autocomplete: 'off', placeholder: 'e.g. Problem set 1' });
    const due = h('input', { type: 'datetime-local', id: 'coursework-assignment-due', required: true });
    const atDue = h('input', { type: 'checkbox', id: 'coursework-assignment-capture', checked: true });
    const submit = h('button', { type: 'submit', class: 'jp-Coursework-button jp-mod-accept' }, 'Create assignment');
    const form = h(
      'form',
      { class: 'jp-Coursework-form jp-Coursework-grid', 'aria-labelledby': 'coursework-assignment-new-title' },
      h('label', { for: 'coursework-assignment-id' }, 'Id'),
      id,
      h('label', { for: 'coursework-assignment-title' }, 'Title'),
      title,
      h('label', { for: 'coursework-assignment-due' }, 'Due'),
      due,
      h(
        'div',
        { class: 'jp-Coursework-check jp-Coursework-grid-wide' },
        atDue,
        h('label', { for: 'coursework-assignment-capture' }, 'Capture each home at the due time'),
      ),
      h('div', { class: 'jp-Coursework-grid-wide' }, submit),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      submit.disabled = true;
      void this.model
        .create({ id: id.value, title: title.value, due: due.value, snapshotAtDue: atDue.checked })
        .then((created) => {
          if (created) form.reset();
        })
        .finally(() => {
          submit.disabled = false;
        });
    });
    return h('div', { class: 'jp-Coursework-subsection' }, h('h4', { id: 'coursework-assignment-new-title' }, 'New assignment'), form);
  }

  /** The parts of the selected assignment's view that stay: heading, actions and the extension form. */
  private buildStatusFrame(): void {
    const csv = h(
      'button',
      {
        type: 'button',
        class: 'jp-Coursework-link',
        title: 'Download the status table as CSV',
        'aria-label': 'Download the status table as CSV',
      },
      'CSV',
    );
    csv.addEventListener('click', () => void this.downloadCsv());
    const capture = h(
      'button',
      { type: 'button', class: 'jp-Coursework-button', title: 'Take the deadline capture of every student now' },
      'Capture now',
    );
    capture.addEventListener('click', () => {
      capture.disabled = true;
      void this.model.captureNow().finally(() => {
        capture.disabled = false;
      });
    });

    const due = h('input', { type: 'datetime-local', id: 'coursework-extension-due', required: true });
    const grant = h('button', { type: 'submit', class: 'jp-Coursework-button' }, 'Grant extension');
    const form = h(
      'form',
      { class: 'jp-Coursework-form jp-Coursework-grid', 'aria-labelledby': 'coursework-extension-title' },
      h('label', { for: 'coursework-extension-student' }, 'Student'),
      this.studentSelect,
      h('label', { for: 'coursework-extension-due' }, 'New due time'),
      due,
      h('div', { class: 'jp-Coursework-grid-wide' }, grant),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      grant.disabled = true;
      void this.model.grantExtension(this.studentSelect.value, due.value).finally(() => {
        grant.disabled = false;
      });
    });
    this.statusFrame = h(
      'div',
      { class: 'jp-Coursework-subsection' },
      h('div', { class: 'jp-Coursework-section-head' }, this.statusTitle, csv, ...(this.rights.capture ? [capture] : [])),
      this.statusMessage,
      this.statusTable,
      ...(this.rights.extend ? [h('h4', { id: 'coursework-extension-title' }, 'Extension'), form] : []),
    );
  }

  private render(): void {
    const { model } = this;
    const items = model.items();
    this.message.textContent = model.loadError
      ? `Assignments are unavailable: ${model.loadError}`
      : items.length === 0
        ? 'No assignments yet.'
        : '';
    this.message.classList.toggle('jp-mod-error', model.loadError !== null);
    this.notice.textContent = model.notice?.text ?? '';
    this.notice.classList.toggle('jp-mod-error', model.notice?.error === true);

    const focused = this.node.contains(document.activeElement) ? document.activeElement?.getAttribute('data-key') : null;
    this.list.replaceChildren(
      ...items.map((item) => {
        const selected = item.id === model.selectedId;
        const button = h(
          'button',
          {
            type: 'button',
            class: 'jp-Coursework-link',
            'data-key': `assignment:${item.id}`,
            'aria-pressed': String(selected),
            title: `Show the status of ${item.title}`,
          },
          item.title,
        );
        button.addEventListener('click', () => void model.select(selected ? null : item.id));
        const extensions = item.extensions === 0 ? null : ` · ${item.extensions} extension${item.extensions === 1 ? '' : 's'}`;
        return h(
          'li',
          { class: selected ? 'jp-mod-selected' : undefined },
          button,
          h('span', { class: 'jp-Coursework-note' }, ` ${item.id} · due ${item.dueAtLocal}`, extensions),
        );
      }),
    );
    this.renderStatus();
    this.renderStudents(model.students);
    if (focused) this.node.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  private renderStatus(): void {
    const { model } = this;
    const selected = model.assignments.find((a) => a.id === model.selectedId);
    if (!selected) {
      this.statusHost.replaceChildren();
      return;
    }
    if (this.statusFrame.parentElement !== this.statusHost) this.statusHost.replaceChildren(this.statusFrame);
    this.statusTitle.textContent = `${selected.title || selected.id}: due ${selected.dueAtLocal}`;
    const text = model.statusError ?? this.downloadError ?? (model.status ? '' : 'Loading…');
    this.statusMessage.textContent = text;
    this.statusMessage.classList.toggle('jp-mod-error', model.statusError !== null || this.downloadError !== null);
    this.statusTable.replaceChildren(...(model.status ? [this.table(model.rows())] : []));
  }

  private table(rows: StatusRow[]): HTMLElement {
    return h(
      'table',
      { class: 'jp-Coursework-table jp-Coursework-status-table' },
      h('caption', { class: 'jp-Coursework-visually-hidden' }, 'Deadline capture of each student'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Student', 'Due', 'Status', 'Receipt', 'Submitted', 'Feedback released'].map((label) => h('th', { scope: 'col' }, label)),
        ),
      ),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, row.student),
            h(
              'td',
              {},
              row.due,
              row.extended ? h('span', { class: 'jp-Coursework-tag', title: 'This student has an extension' }, 'extended') : null,
            ),
            h(
              'td',
              {},
              h('span', { class: `jp-Coursework-status jp-mod-${row.status}` }, row.status),
              row.note ? h('span', { class: 'jp-Coursework-note' }, ` (${row.note})`) : null,
            ),
            h('td', {}, row.receipt),
            h('td', {}, row.submission),
            h('td', {}, row.feedbackReleasedAt),
          ),
        ),
      ),
    );
  }

  /** The extension form's choice of students, rebuilt only when the roster changes (the choice is kept). */
  private renderStudents(students: readonly Student[]): void {
    const names = students.map((s) => s.name);
    if (names.join('\n') === this.shownStudents) return;
    this.shownStudents = names.join('\n');
    const value = this.studentSelect.value;
    this.studentSelect.replaceChildren(...names.map((name) => h('option', { value: name }, name)));
    if (names.includes(value)) this.studentSelect.value = value;
  }

  private async downloadCsv(): Promise<void> {
    const id = this.model.selectedId;
    if (!id) return;
    try {
      downloadFrom(await this.connection.client.downloadLink(this.connection.client.assignmentStatusCsvUrl(id)));
      this.downloadError = null;
    } catch (error) {
      this.downloadError = `Could not download the CSV: ${describeError(error)}`;
    }
    this.renderStatus();
  }

  private readonly message = h('p', { class: 'jp-Coursework-message', role: 'status' });
  private readonly notice = h('p', { class: 'jp-Coursework-message', role: 'status', 'aria-live': 'polite' });
  private readonly list = h('ul', { class: 'jp-Coursework-assignment-list', 'aria-label': 'Assignments of the course' });
  private readonly statusHost = h('div', { class: 'jp-Coursework-assignment-status' });
  private readonly statusTitle = h('h4', {});
  private readonly statusMessage = h('p', { class: 'jp-Coursework-message', role: 'status' });
  // A wide table scrolls, and Chromium then stops Tab on its box: as a named region it says what it holds.
  private readonly statusTable = h('div', {
    class: 'jp-Coursework-table-host jp-Coursework-scroll',
    role: 'region',
    'aria-label': 'Status of each student',
  });
  private readonly studentSelect = h('select', { id: 'coursework-extension-student', required: true });
  private statusFrame!: HTMLElement;
  private shownStudents = '';
  private downloadError: string | null = null;
}
