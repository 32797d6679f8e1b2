/**
 * The class workspace: the whole class at once, a row per student and a column per assignment, in the main area.
 * The grid is virtualised (only the rows in view exist in the page, so a class of thousands scrolls as one of ten)
 * and stays an ARIA grid: its row and column counts, each rendered row's index, a column header per assignment and a
 * row header per student; the arrow keys, Home, End, Page Up and Page Down move the active cell. Students are selected
 * with their row's checkbox (Shift extends from the last one) or from the keyboard (Space, Shift+Space, Ctrl+A,
 * Escape), and the actions bar acts on the selection: capture now, extend, withdraw feedback, download, copy names.
 * A student's name (or Enter on their row) opens their timeline under the grid. While open, the workspace follows the
 * course's changes feed and reads again only the rows of the students it names. With several courses taught, its
 * course switcher moves it (and the panel) to another.
 */
import type { ClassStatus } from '@coursework/client';
import { Widget } from '@lumino/widgets';
import { describeError, type ServiceConnection } from '../common/connection';
import { h } from '../common/dom';
import type { ContentsReader } from '../feedback/release-files';
import { ActionsBar } from './actions-bar';
import { type ClassRow, classRows, STATE_FILTERS, type StateFilter, visibleRows } from './class-model';
import { type ChartRenderer, DetailPane } from './detail-pane';
import { RowSelection } from './selection';

export interface ClassWorkspaceOptions {
  /** Without one, the timeline is shown as a list only. */
  renderChart?: ChartRenderer;
  /** The instructor's files (JupyterLab's contents manager): without them, feedback is not released from a folder. */
  contents?: ContentsReader;
  /** The courses the user teaches: with more than one, the workspace has a switcher (the panel follows it). */
  courses?: readonly { id: string; title: string }[];
  onSwitchCourse?: (course: string) => void;
}

export const ROW_HEIGHT = 28;
/** How long one read of the changes feed waits for a change. */
const CHANGES_WAIT_SECONDS = 25;
/** Rows rendered beyond the visible ones, above and below, so that scrolling shows no gaps. */
const OVERSCAN = 8;

export class ClassWorkspace extends Widget {
  constructor(
    private readonly connection: ServiceConnection,
    options: ClassWorkspaceOptions = {},
  ) {
    super();
    this.actions = new ActionsBar({
      client: () => connection.client,
      view: () => this.view,
      selected: () => this.selectedStudents,
      showChart: (id) => {
        const column = this.view?.assignments.findIndex((a) => a.id === id) ?? -1;
        if (this.view && column >= 0) this.detail.showAssignment(this.view, column);
      },
      contents: options.contents,
      refresh: () => this.refresh(),
    });
    this.detail = new DetailPane(
      () => connection.client,
      options.renderChart,
      () => this.grid.focus(),
    );
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
    const courses = options.courses ?? [];
    if (courses.length > 1 && options.onSwitchCourse) {
      const switchCourse = options.onSwitchCourse;
      this.courseChoice.replaceChildren(...courses.map((course) => h('option', { value: course.id }, course.title || course.id)));
      this.courseChoice.addEventListener('change', () => switchCourse(this.courseChoice.value));
    }
    this.node.append(
      h(
        'div',
        { class: 'jp-Coursework-ClassToolbar' },
        courses.length > 1 && options.onSwitchCourse ? h('label', {}, 'Course ', this.courseChoice) : null,
        h('label', {}, 'Students ', this.filter),
        h('label', {}, 'Show ', this.stateSelect),
        this.count,
        this.refreshButton,
      ),
      this.actions.node,
      this.message,
      this.grid,
      this.detail.node,
    );
    this.grid.append(this.header, this.body);
    connection.courseChanged.connect(() => void this.refresh());
    void this.refresh();
  }

  /** Reads the class again (and where its changes feed stands, first, so that no change falls in between). */
  async refresh(): Promise<void> {
    this.message.textContent = 'Loading the class…';
    const generation = ++this.generation;
    try {
      const { cursor } = await this.connection.client.classChanges();
      const view = await this.connection.client.classStatus();
      if (generation !== this.generation) return;
      this.cursor = cursor;
      void this.follow();
      this.view = view;
      this.rows = classRows(view);
      this.selection.retain(new Set(view.students));
      this.actions.setAssignments(view.assignments);
      this.title.label = `Class: ${view.course.title}`;
      this.courseChoice.value = view.course.id;
      this.message.textContent = '';
    } catch (error) {
      this.message.textContent = `Could not read the class: ${describeError(error)}`;
    }
    this.renderHeader();
    this.applyFilters();
  }

  /**
   * Long-polls the changes feed while the workspace is open; the students it names are read again a second later
   * (so that a job finishing for many students costs one read), the whole class when assignments changed.
   */
  private async follow(): Promise<void> {
    if (this.following) return;
    this.following = true;
    let failures = 0;
    while (!this.isDisposed) {
      const generation = this.generation;
      try {
        const changes = await this.connection.client.classChanges(this.cursor, CHANGES_WAIT_SECONDS);
        failures = 0;
        if (generation !== this.generation || this.isDisposed) continue;
        this.cursor = changes.cursor;
        if (changes.assignments) void this.refresh();
        else if (changes.students.length > 0) this.readSoon(changes.students);
      } catch {
        // The service restarting, the network away: try again, less and less often.
        failures++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1000 * 2 ** failures)));
      }
    }
    this.following = false;
  }

  private readSoon(students: readonly string[]): void {
    for (const student of students) this.changed.add(student);
    this.changedTimer ??= setTimeout(() => void this.readChanged(), 1000);
  }

  /** Reads the rows of the students changed since the last read, and draws them where they are. */
  private async readChanged(): Promise<void> {
    this.changedTimer = undefined;
    const view = this.view;
    const students = [...this.changed].filter((student) => view?.students.includes(student));
    this.changed.clear();
    if (!view || students.length === 0) return;
    const generation = this.generation;
    let fresh: ClassStatus;
    try {
      fresh = await this.connection.client.classStatus(students);
    } catch {
      return;
    }
    if (generation !== this.generation || this.view !== view) return;
    const rows = new Map(classRows(fresh).map((row) => [row.student, row]));
    fresh.students.forEach((student, i) => {
      const index = view.students.indexOf(student);
      if (index >= 0) view.status[index] = fresh.status[i]!;
    });
    this.rows = this.rows.map((row) => rows.get(row.student) ?? row);
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
    this.renderRows(true);
    this.actions.update();
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
  /**
   * Draws the rows in view (and a few around them), each at its place in the full height. Rows still in view are
   * kept as they are and only those scrolled in are made; `redraw` makes them all again (the data or the order
   * changed).
   */
  private renderRows(redraw = false): void {
    const first = Math.max(0, Math.floor(this.grid.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil((this.grid.clientHeight || ROW_HEIGHT * 20) / ROW_HEIGHT) + 2 * OVERSCAN;
    if (!redraw && first === this.renderedFrom && count === this.renderedCount) return;
    if (redraw) {
      this.rendered.clear();
      this.body.replaceChildren();
    }
    this.renderedFrom = first;
    this.renderedCount = count;
    const end = Math.min(this.shown.length, first + count);
    for (const [index, element] of this.rendered) {
      if (index < first || index >= end) {
        element.remove();
        this.rendered.delete(index);
      }
    }
    // New rows go above or below those kept, so that the page's order stays the grid's (as screen readers read it).
    const above: HTMLElement[] = [];
    const below: HTMLElement[] = [];
    const kept = this.rendered.size > 0 ? Math.min(...this.rendered.keys()) : end;
    for (let i = first; i < end; i++) {
      if (this.rendered.has(i)) continue;
      const element = this.rowElement(this.shown[i]!, i);
      this.rendered.set(i, element);
      (i < kept ? above : below).push(element);
    }
    this.body.prepend(...above);
    this.body.append(...below);
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
        h(
          'button',
          { type: 'button', class: 'jp-Coursework-link', tabindex: '-1', title: `Timeline of ${row.student}`, 'data-row': String(index) },
          row.student,
        ),
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
    const assignment = this.view?.assignments[this.active.column - 1];
    if (assignment) this.actions.choose(assignment.id);
  }

  /** Space, Shift+Space, Ctrl+A and Escape select; answers whether the key was one of them. */
  private onSelectionKey(event: KeyboardEvent): boolean {
    const order = this.shown.map((row) => row.student);
    const student = order[this.active.row];
    if (event.key === 'Enter' && student !== undefined) {
      event.preventDefault();
      void this.detail.showTimeline(student);
      return true;
    }
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
    const name = (event.target as HTMLElement).closest<HTMLButtonElement>('button[data-row]');
    const nameOf = name ? this.shown[Number(name.dataset.row)]?.student : undefined;
    if (nameOf !== undefined) {
      void this.detail.showTimeline(nameOf);
      return;
    }
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
    this.renderRows(true);
    this.actions.update();
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
  /** Bumped by every full read: answers to older reads are dropped. */
  private generation = 0;
  private cursor: number | undefined;
  private following = false;
  private readonly changed = new Set<string>();
  private changedTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly selection = new RowSelection();
  private readonly actions: ActionsBar;
  /** Under the grid: a student's timeline or an assignment's chart. */
  private readonly detail: DetailPane;
  private rows: ClassRow[] = [];
  private shown: ClassRow[] = [];
  private sortBy: number | null = null;
  private descending = false;
  private active = { row: 0, column: 0 };
  private renderedFrom = -1;
  /** The rows in the page, by their index in `shown`. */
  private readonly rendered = new Map<number, HTMLElement>();
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
  private readonly courseChoice = h('select', { class: 'jp-Coursework-input', 'aria-label': 'Course of the workspace' });
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
