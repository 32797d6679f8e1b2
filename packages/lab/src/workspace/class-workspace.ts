/**
 * The class workspace: the whole class at once, a row per student and a column per assignment, in the main area.
 * The grid is virtualised (only the rows in view exist in the page, so a class of thousands scrolls as one of ten)
 * and stays an ARIA grid: its row and column counts, each rendered row's index, a column header per assignment and a
 * row header per student; the arrow keys, Home, End, Page Up and Page Down move the active cell. Students are selected
 * with their row's checkbox (Shift extends from the last one) or from the keyboard (Space, Shift+Space, Ctrl+A,
 * Escape), and the actions bar acts on the selection: capture now, extend, withdraw feedback, download, copy names.
 */
import type { ClassStatus } from '@coursework/client';
import { Widget } from '@lumino/widgets';
import { describeError, type ServiceConnection } from '../common/connection';
import { h } from '../common/dom';
import { downloadFrom } from '../common/download';
import { type BulkOutcome, captureNow, type DueChange, grantExtensions, summary, withdrawFeedback } from './bulk-actions';
import { type ClassRow, classRows, STATE_FILTERS, type StateFilter, visibleRows } from './class-model';
import { RowSelection } from './selection';

export const ROW_HEIGHT = 28;
/** Rows rendered beyond the visible ones, above and below, so that scrolling shows no gaps. */
const OVERSCAN = 8;

export class ClassWorkspace extends Widget {
  constructor(private readonly connection: ServiceConnection) {
    super();
    this.id = 'coursework-class-workspace';
    this.addClass('jp-Coursework-ClassWorkspace');
    this.title.label = 'Class';
    this.title.closable = true;
    this.filter.addEventListener('input', () => this.applyFilters());
    this.stateSelect.addEventListener('change', () => this.applyFilters());
    this.refreshButton.addEventListener('click', () => void this.refresh());
    this.grid.addEventListener('scroll', () => this.renderRows());
    this.grid.addEventListener('keydown', (event) => this.onKey(event));
    this.body.addEventListener('click', (event) => this.onBodyClick(event));
    this.node.append(
      h(
        'div',
        { class: 'jp-Coursework-ClassToolbar' },
        h('label', {}, 'Students ', this.filter),
        h('label', {}, 'Show ', this.stateSelect),
        this.count,
        this.refreshButton,
      ),
      this.actionsBar(),
      this.message,
      this.grid,
    );
    this.grid.append(this.header, this.body);
    connection.courseChanged.connect(() => void this.refresh());
    void this.refresh();
  }

  /** Reads the class again. */
  async refresh(): Promise<void> {
    this.message.textContent = 'Loading the class…';
    try {
      const view = await this.connection.client.classStatus();
      this.view = view;
      this.rows = classRows(view);
      this.selection.retain(new Set(view.students));
      this.renderAssignmentChoice();
      this.title.label = `Class: ${view.course.title}`;
      this.message.textContent = '';
    } catch (error) {
      this.message.textContent = `Could not read the class: ${describeError(error)}`;
    }
    this.renderHeader();
    this.applyFilters();
  }

  /** The students selected, as the grid shows them (those filtered out stay selected but are not acted on). */
  get selectedStudents(): string[] {
    return this.selection.inOrder(this.shown.map((row) => row.student));
  }

  /** Filters and sorts again, then draws what is in view. */
  private applyFilters(): void {
    this.shown = visibleRows(this.rows, {
      text: this.filter.value,
      state: this.stateSelect.value as StateFilter,
      sortBy: this.sortBy,
      descending: this.descending,
    });
    const columns = this.view?.assignments.length ?? 0;
    this.grid.setAttribute('aria-rowcount', String(this.shown.length + 1));
    this.grid.setAttribute('aria-colcount', String(columns + 1));
    this.count.textContent = `${this.shown.length} of ${this.rows.length} students`;
    this.body.style.height = `${this.shown.length * ROW_HEIGHT}px`;
    this.active = { row: Math.min(this.active.row, Math.max(0, this.shown.length - 1)), column: Math.min(this.active.column, columns) };
    this.renderedFrom = -1;
    this.renderRows();
    this.renderSelectionState();
  }

  private get template(): string {
    return `var(--jp-Coursework-class-name-width, 180px) repeat(${this.view?.assignments.length ?? 0}, var(--jp-Coursework-class-cell-width, 150px))`;
  }

  private renderHeader(): void {
    const assignments = this.view?.assignments ?? [];
    const sortButton = (label: string, column: number | null, title: string) => {
      const sorted = this.sortBy === column;
      const button = h(
        'button',
        { type: 'button', class: 'jp-Coursework-link', title: `Sort by ${title}` },
        label,
        sorted ? (this.descending ? ' ▾' : ' ▴') : '',
      );
      button.addEventListener('click', () => {
        this.descending = this.sortBy === column ? !this.descending : false;
        this.sortBy = column;
        this.renderHeader();
        this.applyFilters();
      });
      return h(
        'div',
        {
          role: 'columnheader',
          'aria-colindex': String((column ?? -1) + 2),
          'aria-sort': sorted ? (this.descending ? 'descending' : 'ascending') : 'none',
        },
        button,
      );
    };
    this.header.style.gridTemplateColumns = this.template;
    this.header.replaceChildren(
      sortButton('Student', null, 'name'),
      ...assignments.map((a, j) => {
        const cell = sortButton(a.title || a.id, j, a.title || a.id);
        cell.append(h('span', { class: 'jp-Coursework-note' }, `due ${a.dueAtLocal}`));
        return cell;
      }),
    );
  }

  /** Draws the rows in view (and a few around them), each at its place in the full height. */
  private renderRows(): void {
    const first = Math.max(0, Math.floor(this.grid.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil((this.grid.clientHeight || ROW_HEIGHT * 20) / ROW_HEIGHT) + 2 * OVERSCAN;
    if (first === this.renderedFrom && count === this.renderedCount) return;
    this.renderedFrom = first;
    this.renderedCount = count;
    const rows: HTMLElement[] = [];
    for (let i = first; i < Math.min(this.shown.length, first + count); i++) rows.push(this.rowElement(this.shown[i]!, i));
    this.body.replaceChildren(...rows);
    this.markActive();
  }

  private rowElement(row: ClassRow, index: number): HTMLElement {
    const selected = this.selection.has(row.student);
    const element = h(
      'div',
      {
        role: 'row',
        class: `jp-Coursework-ClassRow${selected ? ' jp-mod-selected' : ''}`,
        'aria-rowindex': String(index + 2),
        'aria-selected': String(selected),
        'data-student': row.student,
      },
      h(
        'div',
        { role: 'rowheader', 'aria-colindex': '1', id: this.cellId(index, 0) },
        h('input', {
          type: 'checkbox',
          class: 'jp-Coursework-ClassSelect',
          tabindex: '-1',
          checked: selected,
          'aria-label': `Select ${row.student}`,
          'data-row': String(index),
        }),
        row.student,
      ),
      ...row.cells.map((cell, j) =>
        h(
          'div',
          {
            role: 'gridcell',
            'aria-colindex': String(j + 2),
            id: this.cellId(index, j + 1),
            class: `jp-Coursework-ClassCell jp-mod-${cell.state}`,
            title: cell.description,
            'aria-label': cell.description,
          },
          cell.text,
          cell.extended ? h('span', { class: 'jp-Coursework-tag', 'aria-hidden': 'true' }, 'ext.') : null,
        ),
      ),
    );
    element.style.top = `${index * ROW_HEIGHT}px`;
    element.style.gridTemplateColumns = this.template;
    return element;
  }

  private cellId(row: number, column: number): string {
    return `coursework-class-cell-${row}-${column}`;
  }

  private onKey(event: KeyboardEvent): void {
    if (this.onSelectionKey(event)) return;
    const columns = this.view?.assignments.length ?? 0;
    const page = Math.max(1, Math.floor(this.grid.clientHeight / ROW_HEIGHT) - 1);
    const { row, column } = this.active;
    const moves: Record<string, [number, number]> = {
      ArrowDown: [row + 1, column],
      ArrowUp: [row - 1, column],
      ArrowRight: [row, column + 1],
      ArrowLeft: [row, column - 1],
      PageDown: [row + page, column],
      PageUp: [row - page, column],
      Home: event.ctrlKey ? [0, 0] : [row, 0],
      End: event.ctrlKey ? [this.shown.length - 1, columns] : [row, columns],
    };
    const next = moves[event.key];
    if (!next || this.shown.length === 0) return;
    event.preventDefault();
    this.active = { row: Math.max(0, Math.min(this.shown.length - 1, next[0])), column: Math.max(0, Math.min(columns, next[1])) };
    // Keep the active row in view; the rows around it are drawn as the grid scrolls.
    const top = this.active.row * ROW_HEIGHT;
    const headerHeight = this.header.offsetHeight;
    if (top < this.grid.scrollTop) this.grid.scrollTop = top;
    else if (top + ROW_HEIGHT > this.grid.scrollTop + this.grid.clientHeight - headerHeight) {
      this.grid.scrollTop = top + ROW_HEIGHT - this.grid.clientHeight + headerHeight;
    }
    this.renderRows();
    this.markActive();
    this.followActiveColumn();
  }

  /** Space, Shift+Space, Ctrl+A and Escape select; answers whether the key was one of them. */
  private onSelectionKey(event: KeyboardEvent): boolean {
    const order = this.shown.map((row) => row.student);
    const student = order[this.active.row];
    if (event.key === ' ' && student !== undefined) {
      if (event.shiftKey) this.selection.extendTo(student, order);
      else this.selection.toggle(student);
    } else if (event.key.toLowerCase() === 'a' && (event.ctrlKey || event.metaKey)) {
      this.selection.selectAll(order);
    } else if (event.key === 'Escape' && this.selection.size > 0) {
      this.selection.clear();
    } else {
      return false;
    }
    event.preventDefault();
    this.selectionChanged();
    return true;
  }

  private onBodyClick(event: MouseEvent): void {
    const box = (event.target as HTMLElement).closest<HTMLInputElement>('input.jp-Coursework-ClassSelect');
    if (!box) return;
    const index = Number(box.dataset.row);
    const student = this.shown[index]?.student;
    if (student === undefined) return;
    if (event.shiftKey)
      this.selection.extendTo(
        student,
        this.shown.map((row) => row.student),
      );
    else this.selection.toggle(student);
    this.active = { row: index, column: this.active.column };
    this.selectionChanged();
    this.grid.focus();
  }

  /** Draws the rows again (their checkboxes) and the actions bar. */
  private selectionChanged(): void {
    this.renderedFrom = -1;
    this.renderRows();
    this.renderSelectionState();
  }

  private renderSelectionState(): void {
    const count = this.selectedStudents.length;
    this.selectedCount.textContent = count === 1 ? '1 student selected' : `${count} students selected`;
    for (const button of this.actionButtons) button.disabled = count === 0 || this.busy;
  }

  /** The assignment the actions apply to follows the active cell's column. */
  private followActiveColumn(): void {
    const assignment = this.view?.assignments[this.active.column - 1];
    if (assignment) this.assignmentChoice.value = assignment.id;
  }

  private renderAssignmentChoice(): void {
    const current = this.assignmentChoice.value;
    const assignments = this.view?.assignments ?? [];
    this.assignmentChoice.replaceChildren(...assignments.map((a) => h('option', { value: a.id }, a.title || a.id)));
    if (assignments.some((a) => a.id === current)) this.assignmentChoice.value = current;
  }

  // --- actions on the selection ---------------------------------------------------------------------------------

  private actionsBar(): HTMLElement {
    const action = (label: string, run: () => Promise<BulkOutcome[] | null>, verb: string) => {
      const button = h('button', { type: 'button', class: 'jp-Coursework-button' }, label);
      button.addEventListener('click', () => void this.runAction(label, verb, run));
      this.actionButtons.push(button);
      return button;
    };
    const client = () => this.connection.client;
    const assignment = () => this.assignmentChoice.value;
    const dueAtOf = (student: string) => {
      const i = this.view?.students.indexOf(student) ?? -1;
      const j = this.view?.assignments.findIndex((a) => a.id === assignment()) ?? -1;
      return this.view?.status[i]?.[j]?.dueAt ?? new Date().toISOString();
    };
    const extend = (change: () => DueChange | string) => async () => {
      const chosen = change();
      if (typeof chosen === 'string') throw new Error(chosen);
      return grantExtensions(client(), assignment(), this.selectedStudents, dueAtOf, chosen, (p) => this.showProgress(p));
    };
    const withdrawButton = action(
      'Withdraw feedback',
      async () => {
        // A second click confirms: withdrawing takes the feedback out of the students' Feedback section.
        if (withdrawButton.dataset.confirm !== 'yes') {
          withdrawButton.dataset.confirm = 'yes';
          withdrawButton.textContent = `Withdraw for ${this.selectedStudents.length}? Click again`;
          return null;
        }
        return withdrawFeedback(client(), assignment(), this.selectedStudents, (p) => this.showProgress(p));
      },
      'withdrawn',
    );
    return h(
      'div',
      { class: 'jp-Coursework-ClassActions', role: 'toolbar', 'aria-label': 'Actions on the selected students' },
      this.selectedCount,
      action(
        'Capture now',
        () =>
          captureNow(client(), this.selectedStudents, `${assignment() || 'class'} capture ${new Date().toTimeString().slice(0, 8)}`, (p) =>
            this.showProgress(p),
          ),
        'captured',
      ),
      h('label', {}, 'Assignment ', this.assignmentChoice),
      h('label', {}, 'Extend by ', this.extendHours, ' hours'),
      action(
        'Extend',
        extend(() => {
          const hours = Number(this.extendHours.value);
          return Number.isFinite(hours) && hours !== 0 ? { hours } : 'Give a number of hours (negative to shorten)';
        }),
        'extended',
      ),
      h('label', {}, 'or until ', this.extendUntil),
      action(
        'Set due time',
        extend(() => (this.extendUntil.value ? { dueAt: new Date(this.extendUntil.value).toISOString() } : 'Choose the new due time')),
        'extended',
      ),
      withdrawButton,
      action('Download captures', () => this.downloadCaptures(), 'in the download'),
      action(
        'Copy names',
        async () => {
          const names = this.selectedStudents;
          await navigator.clipboard.writeText(names.join('\n'));
          return names.map((student) => ({ student, ok: true, message: 'copied' }));
        },
        'copied',
      ),
      this.progress,
      this.outcome,
    );
  }

  /** One zip per capture the selected students' work is in, for the chosen assignment, streamed by the browser. */
  private async downloadCaptures(): Promise<BulkOutcome[]> {
    const j = this.view?.assignments.findIndex((a) => a.id === this.assignmentChoice.value) ?? -1;
    const bySnapshot = new Map<string, string[]>();
    const outcomes: BulkOutcome[] = [];
    for (const student of this.selectedStudents) {
      const i = this.view?.students.indexOf(student) ?? -1;
      const snapshot = this.view?.status[i]?.[j]?.receipt?.snapshot;
      if (!snapshot) outcomes.push({ student, ok: false, message: 'no capture to download' });
      else bySnapshot.set(snapshot, [...(bySnapshot.get(snapshot) ?? []), student]);
    }
    const client = this.connection.client;
    for (const [snapshot, students] of bySnapshot) {
      downloadFrom(await client.downloadLink(client.courseZipUrl(snapshot, students)));
      outcomes.push(...students.map((student) => ({ student, ok: true, message: `in ${snapshot}.zip` })));
    }
    return outcomes;
  }

  private async runAction(label: string, verb: string, run: () => Promise<BulkOutcome[] | null>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.renderSelectionState();
    this.outcome.replaceChildren();
    this.progress.hidden = false;
    this.progress.removeAttribute('value');
    let outcomes: BulkOutcome[] | null = null;
    try {
      outcomes = await run();
    } catch (error) {
      this.outcome.replaceChildren(h('span', { class: 'jp-Coursework-error' }, `${label}: ${describeError(error)}`));
    } finally {
      this.busy = false;
      this.progress.hidden = true;
      this.renderSelectionState();
    }
    if (outcomes === null) return;
    for (const button of this.actionButtons) {
      if (button.dataset.confirm === 'yes') {
        delete button.dataset.confirm;
        button.textContent = 'Withdraw feedback';
      }
    }
    this.showOutcomes(`${label}: ${summary(outcomes, verb)}`, outcomes);
    if (verb !== 'copied' && verb !== 'in the download') await this.refresh();
  }

  private showProgress({ done, total }: { done: number; total: number }): void {
    this.progress.max = Math.max(total, 1);
    this.progress.value = done;
    this.progress.setAttribute('aria-valuetext', `${done} of ${total} students`);
  }

  /** The summary, and each student's outcome (those that failed first) under it. */
  private showOutcomes(headline: string, outcomes: BulkOutcome[]): void {
    const ordered = [...outcomes].sort((a, b) => Number(a.ok) - Number(b.ok));
    this.outcome.replaceChildren(
      h(
        'details',
        { class: 'jp-Coursework-ClassOutcome', open: outcomes.some((o) => !o.ok) },
        h('summary', {}, headline),
        h(
          'ul',
          { 'aria-label': 'Outcome per student' },
          ...ordered.map((o) =>
            h('li', { class: o.ok ? '' : 'jp-Coursework-error', 'data-student': o.student }, `${o.student}: ${o.message}`),
          ),
        ),
      ),
    );
  }

  private markActive(): void {
    this.body.querySelector('.jp-mod-active')?.classList.remove('jp-mod-active');
    const id = this.cellId(this.active.row, this.active.column);
    const cell = this.body.querySelector(`#${id}`);
    if (cell) {
      cell.classList.add('jp-mod-active');
      this.grid.setAttribute('aria-activedescendant', id);
    } else {
      this.grid.removeAttribute('aria-activedescendant');
    }
  }

  private view: ClassStatus | null = null;
  private readonly selection = new RowSelection();
  private busy = false;
  private readonly actionButtons: HTMLButtonElement[] = [];
  private readonly selectedCount = h('span', { class: 'jp-Coursework-note', role: 'status' });
  private readonly assignmentChoice = h('select', { class: 'jp-Coursework-input', 'aria-label': 'Assignment to act on' });
  private readonly extendHours = h('input', {
    type: 'number',
    value: '24',
    step: '1',
    class: 'jp-Coursework-input jp-Coursework-hours',
    'aria-label': 'Hours to extend by',
  });
  private readonly extendUntil = h('input', { type: 'datetime-local', class: 'jp-Coursework-input', 'aria-label': 'New due time' });
  private readonly progress = h('progress', { hidden: true, 'aria-label': 'Progress of the action' });
  private readonly outcome = h('div', { role: 'status', class: 'jp-Coursework-ClassOutcomes' });
  private rows: ClassRow[] = [];
  private shown: ClassRow[] = [];
  private sortBy: number | null = null;
  private descending = false;
  private active = { row: 0, column: 0 };
  private renderedFrom = -1;
  private renderedCount = 0;
  private readonly filter = h('input', {
    type: 'search',
    placeholder: 'Name',
    class: 'jp-Coursework-input',
    'aria-label': 'Filter students by name',
  });
  private readonly stateSelect = h(
    'select',
    { class: 'jp-Coursework-input', 'aria-label': 'Which students' },
    ...STATE_FILTERS.map((f) => h('option', { value: f.value }, f.label)),
  );
  private readonly count = h('span', { class: 'jp-Coursework-note', role: 'status' });
  private readonly refreshButton = h('button', { type: 'button', class: 'jp-Coursework-button' }, 'Refresh');
  private readonly message = h('p', { class: 'jp-Coursework-message', role: 'status' });
  private readonly header = h('div', { role: 'row', class: 'jp-Coursework-ClassHeader', 'aria-rowindex': '1' });
  private readonly body = h('div', { class: 'jp-Coursework-ClassBody', role: 'rowgroup' });
  private readonly grid = h('div', {
    class: 'jp-Coursework-ClassGrid',
    role: 'grid',
    tabindex: '0',
    'aria-multiselectable': 'true',
    'aria-label': 'The class: students and assignments',
  });
}
