/**
 * The instructor panel: a form to take a snapshot (with the job's progress and the students it missed) and the
 * students × snapshots overview with a filter and zip downloads. Plain, keyboard-reachable controls, themed with
 * JupyterLab's CSS variables (style/index.css).
 */
import type { Job } from '@coursework/client';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { describeError, type ServiceConnection } from '../common/connection';
import { h } from '../common/dom';
import { downloadFrom } from '../common/download';
import type { InstructorModel, Overview } from './instructor-model';

export interface InstructorPanelOptions {
  model: InstructorModel;
  connection: ServiceConnection;
  courseTitle: string;
  /** The courses the user teaches, to switch between (a list of one shows no switcher). */
  courses?: readonly { id: string; title: string }[];
  /** The course shown (one of `courses`). */
  courseId?: string;
  /** Asked to show another course (the panel is rebuilt for it). */
  onSwitchCourse?: (courseId: string) => void;
  /** Whether the user may take snapshots in this course (graders may not): without it, no snapshot form. */
  canTakeSnapshots?: boolean;
  /** Opens the class workspace (a "Class view" button in the header when given). */
  onOpenWorkspace?: () => void;
}

export const INSTRUCTOR_PANEL_ID = 'coursework-instructor-panel';

export class InstructorPanel extends Widget {
  constructor(options: InstructorPanelOptions) {
    super();
    this.model = options.model;
    this.connection = options.connection;
    this.id = INSTRUCTOR_PANEL_ID;
    this.title.caption = `Coursework: ${options.courseTitle}`;
    this.addClass('jp-Coursework-InstructorPanel');
    this.node.tabIndex = -1;

    const refresh = h('button', { type: 'button', class: 'jp-Coursework-button' }, 'Refresh');
    refresh.addEventListener('click', () => void this.model.refresh());
    // Help for scripting what the panel does: the service's own page of its REST API, in a new browser tab.
    const apiDocs = h(
      'a',
      {
        class: 'jp-Coursework-help',
        href: `${options.connection.baseUrl}api/docs`,
        target: '_blank',
        rel: 'noopener',
        title: 'The REST API of the Coursework service, for scripts (opens in a new tab)',
      },
      'API docs',
    );
    let classView: HTMLButtonElement | null = null;
    if (options.onOpenWorkspace) {
      const open = options.onOpenWorkspace;
      classView = h(
        'button',
        { type: 'button', class: 'jp-Coursework-button', title: 'The whole class at once, in the main area' },
        'Class view',
      );
      classView.addEventListener('click', () => open());
    }
    this.node.append(
      h('header', { class: 'jp-Coursework-header' }, h('h2', {}, 'Coursework'), this.courseControl(options), apiDocs, classView, refresh),
      ...(options.canTakeSnapshots === false ? [] : [this.buildForm()]),
      this.buildOverview(),
    );
    this.model.changed.connect(this.render, this);
    this.render();
  }

  /** Puts the keyboard in the snapshot form's name field (on the panel when there is no form), now and once the shell has activated the panel. */
  focusSnapshotForm(): void {
    this.focusNow(this.nameInput ?? this.node);
  }

  /** The course's title, or a switcher between the courses the user teaches. */
  private courseControl(options: InstructorPanelOptions): HTMLElement {
    const courses = options.courses ?? [];
    if (courses.length < 2 || !options.onSwitchCourse) return h('span', { class: 'jp-Coursework-course' }, options.courseTitle);
    const select = h(
      'select',
      { id: 'coursework-course', class: 'jp-Coursework-course-select', 'aria-label': 'Course' },
      ...courses.map((course) => h('option', { value: course.id, selected: course.id === options.courseId }, course.title)),
    );
    const onSwitch = options.onSwitchCourse;
    select.addEventListener('change', () => onSwitch(select.value));
    return h('span', { class: 'jp-Coursework-course' }, select);
  }

  /** Puts the keyboard on the panel, so that Tab goes on to its first control (after opening it from a command). */
  focusPanel(): void {
    this.focusNow(this.node);
  }

  /**
   * The shell activated the panel: give it the keyboard (the form's field when asked for), unless another control
   * has it (the panel also activates when JupyterLab restores its layout, and must not steal the keyboard then).
   */
  protected override onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    const free = document.activeElement === null || document.activeElement === document.body;
    if (this.focusOnActivate) this.focusOnActivate.focus();
    else if (free) this.node.focus();
    this.focusOnActivate = null;
  }

  /** Adds a section (built elsewhere, e.g. assignments or bulk feedback) below the snapshot overview. */
  addSection(section: { readonly node: HTMLElement; dispose(): void }): void {
    this.node.append(section.node);
    this.sections.push(section);
  }

  override dispose(): void {
    for (const section of this.sections) section.dispose();
    this.model.changed.disconnect(this.render, this);
    super.dispose();
  }

  private focusNow(element: HTMLElement): void {
    this.focusOnActivate = element;
    element.focus();
  }

  private buildForm(): HTMLElement {
    const nameInput = h('input', {
      type: 'text',
      id: 'coursework-snapshot-name',
      name: 'name',
      required: true,
      placeholder: 'e.g. Assignment 1',
      autocomplete: 'off',
    });
    this.nameInput = nameInput;
    const hidden = h('input', { type: 'checkbox', id: 'coursework-snapshot-hidden', name: 'includeHidden' });
    const all = h('input', { type: 'radio', name: 'coursework-scope', value: 'all', id: 'coursework-scope-all', checked: true });
    const selected = h('input', { type: 'radio', name: 'coursework-scope', value: 'selected', id: 'coursework-scope-selected' });
    this.submit = h('button', { type: 'submit', class: 'jp-Coursework-button jp-mod-accept' }, 'Take snapshot');
    const form = h(
      'form',
      { class: 'jp-Coursework-form', 'aria-labelledby': 'coursework-take-title' },
      h('label', { for: 'coursework-snapshot-name' }, 'Name'),
      nameInput,
      h('div', { class: 'jp-Coursework-check' }, hidden, h('label', { for: 'coursework-snapshot-hidden' }, 'Include hidden files')),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Students'),
        h('div', { class: 'jp-Coursework-check' }, all, h('label', { for: 'coursework-scope-all' }, 'All students')),
        h(
          'div',
          { class: 'jp-Coursework-check' },
          selected,
          h('label', { for: 'coursework-scope-selected' }, 'Selected students (tick them below)'),
        ),
      ),
      this.submit,
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.model.takeSnapshot({
        name: nameInput.value,
        includeHidden: hidden.checked,
        scope: selected.checked ? 'selected' : 'all',
      });
    });
    return h(
      'section',
      { class: 'jp-Coursework-section' },
      h('h3', { id: 'coursework-take-title' }, 'Take snapshot'),
      form,
      this.progress,
      this.problems,
    );
  }

  private buildOverview(): HTMLElement {
    const filter = h('input', { type: 'search', id: 'coursework-filter', placeholder: 'Student or snapshot name', autocomplete: 'off' });
    filter.addEventListener('input', () => {
      this.model.filter = filter.value;
    });
    return h(
      'section',
      { class: 'jp-Coursework-section' },
      h('h3', {}, 'Snapshots'),
      h('div', { class: 'jp-Coursework-filter' }, h('label', { for: 'coursework-filter' }, 'Filter'), filter),
      this.message,
      this.tableHost,
    );
  }

  private render(): void {
    const { model } = this;
    if (this.submit) this.submit.disabled = model.busy;
    this.renderJob(model.job, model.jobError);
    const overview = model.overview();
    const note = this.downloadError ?? model.loadError ?? (model.loading && model.students.length === 0 ? 'Loading…' : null);
    this.message.textContent = note ?? (overview.rows.length === 0 && !model.loading ? 'No students match.' : '');
    this.message.classList.toggle('jp-mod-error', note !== null && note !== 'Loading…');
    // The table is rebuilt on each change: keep the keyboard on the control it was on.
    const focused = this.tableHost.contains(document.activeElement) ? document.activeElement?.getAttribute('data-key') : null;
    this.tableHost.replaceChildren(this.table(overview));
    if (focused) this.tableHost.querySelector<HTMLElement>(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  private renderJob(job: Job | null, error: string | null): void {
    this.progress.replaceChildren();
    this.problems.replaceChildren();
    if (error) {
      this.progress.append(h('p', { class: 'jp-Coursework-message jp-mod-error' }, error));
      return;
    }
    if (!job) return;
    const total = Math.max(job.total, 1);
    const text =
      job.state === 'done'
        ? `Snapshot “${job.name}” done: ${job.done} of ${job.total} students`
        : job.state === 'failed'
          ? `Snapshot “${job.name}” failed: ${job.error ?? 'no reason given'}`
          : `Taking snapshot “${job.name}”: ${job.done} of ${job.total} students`;
    this.progress.append(h('progress', { max: total, value: job.done, 'aria-label': 'Snapshot progress' }), h('span', {}, text));
    const problems = this.model.problems();
    if (problems.length > 0) {
      this.problems.append(...problems.map((p) => h('li', {}, h('strong', {}, p.student), ` ${p.message}`)));
    }
  }

  private table(overview: Overview): HTMLElement {
    const head = h(
      'tr',
      {},
      h('th', { scope: 'col' }, h('span', { class: 'jp-Coursework-visually-hidden' }, 'Select')),
      h('th', { scope: 'col' }, 'Student'),
      ...overview.columns.map((name) =>
        h('th', { scope: 'col' }, h('span', { class: 'jp-Coursework-snapshot-name' }, name), this.courseZipButton(name)),
      ),
    );
    const rows = overview.rows.map((row) => {
      const box = h('input', {
        type: 'checkbox',
        'data-key': `select:${row.student}`,
        'aria-label': `Select ${row.student}`,
        checked: this.model.selected.has(row.student),
      });
      box.addEventListener('change', () => this.model.setSelected(row.student, box.checked));
      return h(
        'tr',
        {},
        h('td', {}, box),
        h('th', { scope: 'row' }, row.student, row.homeExists ? null : h('span', { class: 'jp-Coursework-note' }, ' (no home)')),
        ...overview.columns.map((name) => {
          const snap = row.snapshots.get(name);
          return h('td', {}, snap ? this.studentZipButton(row.student, name, snap.files) : h('span', { 'aria-label': 'no snapshot' }, '—'));
        }),
      );
    });
    return h(
      'table',
      { class: 'jp-Coursework-table' },
      h('caption', { class: 'jp-Coursework-visually-hidden' }, 'Students and their snapshots'),
      h('thead', {}, head),
      h('tbody', {}, ...rows),
    );
  }

  private courseZipButton(name: string): HTMLButtonElement {
    const label = `Download “${name}” of every student (zip)`;
    // The visible text is the same in every column: the label tells them apart.
    const button = h(
      'button',
      { type: 'button', class: 'jp-Coursework-link', 'data-key': `course:${name}`, title: label, 'aria-label': label },
      'zip',
    );
    button.addEventListener('click', () => void this.download(this.connection.client.courseZipUrl(name), `${name}.zip`));
    return button;
  }

  private studentZipButton(student: string, name: string, files: number): HTMLButtonElement {
    const label = `Download ${student}’s “${name}”, ${files} files (zip)`;
    const button = h(
      'button',
      { type: 'button', class: 'jp-Coursework-link', 'data-key': `zip:${student}/${name}`, title: label, 'aria-label': label },
      `${files} files`,
    );
    button.addEventListener(
      'click',
      () => void this.download(this.connection.client.snapshotZipUrl(student, name), `${student}-${name}.zip`),
    );
    return button;
  }

  private async download(url: string, fileName: string): Promise<void> {
    try {
      downloadFrom(await this.connection.client.downloadLink(url));
      this.downloadError = null;
    } catch (error) {
      this.downloadError = `Could not download ${fileName}: ${describeError(error)}`;
    }
    this.render();
  }

  private readonly model: InstructorModel;
  private readonly connection: ServiceConnection;
  private nameInput: HTMLInputElement | undefined;
  private submit: HTMLButtonElement | undefined;
  private readonly progress = h('div', { class: 'jp-Coursework-progress', role: 'status', 'aria-live': 'polite' });
  private readonly problems = h('ul', { class: 'jp-Coursework-problems', 'aria-label': 'Students without a new snapshot' });
  private readonly message = h('p', { class: 'jp-Coursework-message', role: 'status' });
  private readonly tableHost = h('div', { class: 'jp-Coursework-table-host' });
  private downloadError: string | null = null;
  private focusOnActivate: HTMLElement | null = null;
  private readonly sections: { dispose(): void }[] = [];
}
