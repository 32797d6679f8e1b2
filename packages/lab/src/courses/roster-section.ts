/**
 * The "Roster" section of the instructor panel: who has a role in the course and where each role comes from (a Hub
 * group, or the roster Coursework keeps), adding one person or many from a CSV file (a status for every row), and
 * removing those Coursework keeps. Graders see the roster without the forms.
 */
import type { CourseworkClient, Role, RosterEntry, RosterReport } from '@coursework/client';
import { describeError } from '../common/connection';
import { h } from '../common/dom';

export interface RosterSectionOptions {
  client: Pick<CourseworkClient, 'roster' | 'putRosterMember' | 'removeRosterMember' | 'addRosterMembers'>;
  course: string;
  /** Whether the user may change the roster (instructors; graders may only read it). */
  canChange: boolean;
}

/** "Added 2, changed 0, unchanged 1; 1 row refused, changing nothing" for a bulk answer. */
export function rosterReportSummary(report: RosterReport): string {
  const summary = `Added ${report.added}, changed ${report.updated}, unchanged ${report.unchanged}`;
  if (report.failed === 0) return summary;
  return `${summary}; ${report.failed} ${report.failed === 1 ? 'row' : 'rows'} refused, changing nothing`;
}

/** Where a roster entry's roles come from, for people: "group students", "added by alice". */
export function sourcesText(entry: RosterEntry): string {
  return entry.sources.map((s) => (s.from === 'group' ? `${s.role} by group ${s.group}` : `${s.role}, added by ${s.addedBy}`)).join('; ');
}

export class RosterSection {
  constructor(private readonly options: RosterSectionOptions) {
    const forms = options.canChange ? [this.addOneForm(), this.bulkForm()] : [];
    // Folded until opened (the disclosure pattern): a long roster need not be fetched each time the panel is.
    const body = h(
      'div',
      { id: 'coursework-roster-body', hidden: true },
      h(
        'p',
        { class: 'jp-Coursework-note' },
        'Everyone with a role in the course: the members of its Hub groups, and those added here (who need not have logged in yet).',
      ),
      ...forms,
      this.message,
      this.reportHost,
      this.tableHost,
    );
    const toggle = h(
      'button',
      { type: 'button', class: 'jp-Coursework-disclosure', 'aria-expanded': 'false', 'aria-controls': 'coursework-roster-body' },
      'Roster',
    );
    toggle.addEventListener('click', () => {
      const open = toggle.getAttribute('aria-expanded') !== 'true';
      toggle.setAttribute('aria-expanded', String(open));
      body.hidden = !open;
      if (open) void this.refresh();
    });
    this.node = h(
      'section',
      { class: 'jp-Coursework-section jp-Coursework-RosterSection', 'aria-labelledby': 'coursework-roster-title' },
      h('h3', { id: 'coursework-roster-title' }, toggle),
      body,
    );
  }

  readonly node: HTMLElement;

  /** Nothing to let go of: the section holds no signal connections. */
  dispose(): void {}

  async refresh(): Promise<void> {
    try {
      this.entries = await this.options.client.roster(this.options.course);
      this.tableHost.replaceChildren(this.table());
    } catch (error) {
      this.show(`Could not read the roster: ${describeError(error)}`, true);
    }
  }

  private addOneForm(): HTMLElement {
    const user = h('input', {
      type: 'text',
      id: 'coursework-roster-user',
      required: true,
      autocomplete: 'off',
      placeholder: 'Hub user name',
    });
    const role = roleSelect('coursework-roster-role');
    const submit = h('button', { type: 'submit', class: 'jp-Coursework-button' }, 'Add');
    const form = h(
      'form',
      { class: 'jp-Coursework-form jp-Coursework-grid', 'aria-label': 'Add one person' },
      h('label', { for: 'coursework-roster-user' }, 'User'),
      user,
      h('label', { for: 'coursework-roster-role' }, 'Role'),
      role,
      h('div', { class: 'jp-Coursework-grid-wide' }, submit),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.run(async () => {
        const name = user.value.trim();
        await this.options.client.putRosterMember(this.options.course, name, role.value as Role);
        this.show(`${name} is on the roster as ${role.value}`, false);
        user.value = '';
      });
    });
    return form;
  }

  private bulkForm(): HTMLElement {
    const file = h('input', { type: 'file', id: 'coursework-roster-csv', accept: '.csv,text/csv', required: true });
    const submit = h('button', { type: 'submit', class: 'jp-Coursework-button' }, 'Add from CSV');
    const form = h(
      'form',
      { class: 'jp-Coursework-form jp-Coursework-grid', 'aria-label': 'Add many from a CSV file' },
      h('label', { for: 'coursework-roster-csv' }, 'CSV: user[,role] per line'),
      file,
      h('div', { class: 'jp-Coursework-grid-wide' }, submit),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.run(async () => {
        const chosen = file.files?.[0];
        if (!chosen) throw new Error('Choose a CSV file');
        const report = await this.options.client.addRosterMembers(this.options.course, await chosen.text());
        this.show(rosterReportSummary(report), report.failed > 0);
        this.reportHost.replaceChildren(this.refusedRows(report));
      });
    });
    return form;
  }

  /** Runs a change, then shows the roster again; a failure is said, the roster stays as it was. */
  private async run(change: () => Promise<void>): Promise<void> {
    this.reportHost.replaceChildren();
    try {
      await change();
    } catch (error) {
      this.show(describeError(error), true);
    }
    await this.refresh();
  }

  private refusedRows(report: RosterReport): HTMLElement | string {
    const refused = report.rows.filter((row) => row.status === 'error');
    if (refused.length === 0) return '';
    return h(
      'ul',
      { class: 'jp-Coursework-problems', 'aria-label': 'Rows refused' },
      ...refused.map((row) => h('li', {}, `Row ${row.row}${row.user ? ` (${row.user})` : ''}: ${row.message ?? 'refused'}`)),
    );
  }

  private table(): HTMLElement {
    return h(
      'table',
      { class: 'jp-Coursework-table jp-Coursework-roster-table' },
      h('caption', { class: 'jp-Coursework-visually-hidden' }, 'The course’s roster'),
      h('thead', {}, h('tr', {}, ...['User', 'Roles', 'From', ''].map((label) => h('th', { scope: 'col' }, label)))),
      h(
        'tbody',
        {},
        ...this.entries.map((entry) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, entry.user),
            h('td', {}, entry.roles.join(', ')),
            h('td', {}, sourcesText(entry)),
            h('td', {}, this.removeButton(entry)),
          ),
        ),
      ),
    );
  }

  private removeButton(entry: RosterEntry): HTMLElement | string {
    if (!this.options.canChange || !entry.sources.some((s) => s.from === 'coursework')) return '';
    const button = h('button', { type: 'button', class: 'jp-Coursework-button', 'aria-label': `Remove ${entry.user}` }, 'Remove');
    button.addEventListener('click', () => {
      void this.run(async () => {
        await this.options.client.removeRosterMember(this.options.course, entry.user);
        this.show(`${entry.user} is off the roster Coursework keeps`, false);
      });
    });
    return button;
  }

  private show(text: string, error: boolean): void {
    this.message.textContent = text;
    this.message.classList.toggle('jp-mod-error', error);
  }

  private entries: RosterEntry[] = [];
  private readonly message = h('p', { class: 'jp-Coursework-message', role: 'status', 'aria-live': 'polite' });
  private readonly reportHost = h('div', {});
  private readonly tableHost = h('div', { class: 'jp-Coursework-table-host jp-Coursework-scroll', role: 'region', 'aria-label': 'Roster' });
}

function roleSelect(id: string): HTMLSelectElement {
  return h('select', { id }, ...(['student', 'grader', 'instructor'] as const).map((role) => h('option', { value: role }, role)));
}
