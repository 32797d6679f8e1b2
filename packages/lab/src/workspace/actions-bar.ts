/**
 * The class workspace's bar of actions on the selected students: capture now, extend (by hours from each one's due
 * time, or to one time), release feedback from a folder of the instructor's home (a subfolder per student), withdraw
 * feedback (a second click confirms), download their captures, copy their names; and the chart of the chosen
 * assignment. Each action shows its progress, then a summary and an outcome per student.
 */
import type { Assignment, ClassStatus, CourseworkClient } from '@coursework/client';
import { describeError } from '../common/connection';
import { h } from '../common/dom';
import { downloadFrom } from '../common/download';
import type { ContentsReader } from '../feedback/release-files';
import {
  type BulkOutcome,
  captureNow,
  type DueChange,
  grantExtensions,
  releaseFromFolder,
  summary,
  withdrawFeedback,
} from './bulk-actions';

/** What the bar needs of the workspace. */
export interface ActionsContext {
  client(): CourseworkClient;
  view(): ClassStatus | null;
  /** The selected students, in the grid's order. */
  selected(): string[];
  showChart(assignment: string): void;
  /** The instructor's own files (JupyterLab's contents manager), where feedback is released from. */
  contents: ContentsReader | undefined;
  /** Reads the class again after an action changed it. */
  refresh(): Promise<void>;
}

export class ActionsBar {
  readonly node: HTMLElement;

  constructor(private readonly context: ActionsContext) {
    this.node = this.build();
  }

  /** Says how many are selected, and enables the actions when some are (and none is running). */
  update(): void {
    const count = this.context.selected().length;
    this.selectedCount.textContent = count === 1 ? '1 student selected' : `${count} students selected`;
    for (const button of this.actionButtons) button.disabled = count === 0 || this.busy;
  }

  /** The assignment the actions apply to (it follows the grid's active column). */
  choose(assignment: string): void {
    if (Array.from(this.assignmentChoice.options).some((option) => option.value === assignment)) this.assignmentChoice.value = assignment;
  }

  /** The assignments to choose from, after a read of the class. */
  setAssignments(assignments: readonly Assignment[]): void {
    const current = this.assignmentChoice.value;
    this.assignmentChoice.replaceChildren(...assignments.map((a) => h('option', { value: a.id }, a.title || a.id)));
    if (assignments.some((a) => a.id === current)) this.assignmentChoice.value = current;
  }

  private build(): HTMLElement {
    const action = (label: string, run: () => Promise<BulkOutcome[] | null>, verb: string) => {
      const button = h('button', { type: 'button', class: 'jp-Coursework-button' }, label);
      button.addEventListener('click', () => void this.runAction(label, verb, run));
      this.actionButtons.push(button);
      return button;
    };
    const client = () => this.context.client();
    const { contents } = this.context;
    const assignment = () => this.assignmentChoice.value;
    const dueAtOf = (student: string) => {
      const i = this.context.view()?.students.indexOf(student) ?? -1;
      const j = this.context.view()?.assignments.findIndex((a) => a.id === assignment()) ?? -1;
      return this.context.view()?.status[i]?.[j]?.dueAt ?? new Date().toISOString();
    };
    const extend = (change: () => DueChange | string) => async () => {
      const chosen = change();
      if (typeof chosen === 'string') throw new Error(chosen);
      return grantExtensions(client(), assignment(), this.context.selected(), dueAtOf, chosen, (p) => this.showProgress(p));
    };
    const chartButton = h('button', { type: 'button', class: 'jp-Coursework-button', title: 'The assignment across the class' }, 'Chart');
    chartButton.addEventListener('click', () => this.context.showChart(assignment()));
    const withdrawButton = action(
      'Withdraw feedback',
      async () => {
        // A second click confirms: withdrawing takes the feedback out of the students' Feedback section.
        if (withdrawButton.dataset.confirm !== 'yes') {
          withdrawButton.dataset.confirm = 'yes';
          withdrawButton.textContent = `Withdraw for ${this.context.selected().length}? Click again`;
          return null;
        }
        return withdrawFeedback(client(), assignment(), this.context.selected(), (p) => this.showProgress(p));
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
          captureNow(
            client(),
            this.context.selected(),
            `${assignment() || 'class'} capture ${new Date().toTimeString().slice(0, 8)}`,
            (p) => this.showProgress(p),
          ),
        'captured',
      ),
      h('label', {}, 'Assignment ', this.assignmentChoice),
      chartButton,
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
      ...(contents
        ? [
            h('label', {}, 'Feedback folder ', this.feedbackFolder),
            action(
              'Release feedback',
              async () => {
                const folder = this.feedbackFolder.value.trim();
                if (!folder) throw new Error('Give the folder of your home that holds a subfolder per student');
                return releaseFromFolder(client(), contents, assignment(), folder, this.context.selected(), (p) => this.showProgress(p));
              },
              'released',
            ),
          ]
        : []),
      withdrawButton,
      action('Download captures', () => this.downloadCaptures(), 'in the download'),
      action(
        'Copy names',
        async () => {
          const names = this.context.selected();
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
    const j = this.context.view()?.assignments.findIndex((a) => a.id === this.assignmentChoice.value) ?? -1;
    const bySnapshot = new Map<string, string[]>();
    const outcomes: BulkOutcome[] = [];
    for (const student of this.context.selected()) {
      const i = this.context.view()?.students.indexOf(student) ?? -1;
      const snapshot = this.context.view()?.status[i]?.[j]?.receipt?.snapshot;
      if (!snapshot) outcomes.push({ student, ok: false, message: 'no capture to download' });
      else bySnapshot.set(snapshot, [...(bySnapshot.get(snapshot) ?? []), student]);
    }
    const client = this.context.client();
    for (const [snapshot, students] of bySnapshot) {
      downloadFrom(await client.downloadLink(client.courseZipUrl(snapshot, students)));
      outcomes.push(...students.map((student) => ({ student, ok: true, message: `in ${snapshot}.zip` })));
    }
    return outcomes;
  }

  private async runAction(label: string, verb: string, run: () => Promise<BulkOutcome[] | null>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.update();
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
      this.update();
    }
    if (outcomes === null) return;
    for (const button of this.actionButtons) {
      if (button.dataset.confirm === 'yes') {
        delete button.dataset.confirm;
        button.textContent = 'Withdraw feedback';
      }
    }
    this.showOutcomes(`${label}: ${summary(outcomes, verb)}`, outcomes);
    if (verb !== 'copied' && verb !== 'in the download') await this.context.refresh();
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
  private readonly feedbackFolder = h('input', {
    type: 'text',
    placeholder: 'feedback/hw1',
    class: 'jp-Coursework-input',
    'aria-label': 'Folder of your home with a subfolder per student',
  });
  private readonly progress = h('progress', { hidden: true, 'aria-label': 'Progress of the action' });
  private readonly outcome = h('div', { role: 'status', class: 'jp-Coursework-ClassOutcomes' });
}
