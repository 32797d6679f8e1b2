/**
 * The head of the students' Feedback section: their due dates (with extension and the receipt of the deadline
 * capture) and a marker of feedback released since they last looked. When the service cannot tell the due dates,
 * it shows nothing: the section's own line already says when the service is unreachable.
 */
import type { CourseworkClient, MyAssignment, MyFeedbackAssignment } from '@coursework/client';
import { type ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import { h } from '../common/dom';
import { dueDateGroups, type DueDateItem, markSeen, newFeedback, parseSeen, type SeenReleases } from '../assignments/due-dates';
import type { FeedbackDrive } from './feedback-drive';

export interface FeedbackHeaderOptions {
  client: Pick<CourseworkClient, 'myAssignments'>;
  drive: FeedbackDrive;
  /** Where "seen" is kept between visits (the browser's localStorage; keyed by user, as users share the origin). */
  storage: Pick<Storage, 'getItem' | 'setItem'> | null;
  user: string;
  /** Least time between two reads of the due dates, which follow the listings of the feedback. */
  minRefreshMs?: number;
}

export class FeedbackHeader extends Widget {
  constructor(options: FeedbackHeaderOptions) {
    super();
    this.options = options;
    this.storageKey = `coursework:feedback-seen:${options.user}`;
    this.addClass('jp-Coursework-FeedbackHeader');
    this.seen = parseSeen(this.read());
    const dismiss = h('button', { type: 'button', class: 'jp-Coursework-link' }, 'Mark as seen');
    dismiss.addEventListener('click', () => this.markAllSeen());
    this.newNote.append(h('span', { class: 'jp-Coursework-badge', 'aria-hidden': 'true' }, 'New'), this.newText, dismiss);
    this.newNote.hidden = true;
    this.node.append(this.newNote, this.dueList);
    options.drive.rootListed.connect((_, listing) => {
      if (listing.ok) this.showNew(listing.assignments);
      void this.refreshDueDates();
    });
    void this.refreshDueDates();
  }

  /** Emits the assignments with unseen feedback after each listing (the section marks its title with it). */
  get newChanged(): ISignal<this, string[]> {
    return this.newSignal;
  }

  /** Emits the student's assignments (due times, receipts) after each read of them. */
  get assignmentsChanged(): ISignal<this, MyAssignment[]> {
    return this.assignmentsSignal;
  }

  /** Reads the due dates again (at most once per `minRefreshMs`, unless forced). */
  async refreshDueDates(force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastRead < (this.options.minRefreshMs ?? 30_000)) return;
    this.lastRead = now;
    try {
      const assignments = await this.options.client.myAssignments();
      this.renderDueDates(assignments);
      this.assignmentsSignal.emit(assignments);
    } catch {
      // Nothing extra to show: the section's own message covers an unreachable service.
      this.dueList.replaceChildren();
      this.dueList.hidden = true;
    }
  }

  private renderDueDates(assignments: Parameters<typeof dueDateGroups>[0]): void {
    const groups = dueDateGroups(assignments);
    const entry = (item: DueDateItem) =>
      h(
        'li',
        { class: item.past ? 'jp-mod-past' : undefined, 'data-assignment': item.id },
        h('span', { class: 'jp-Coursework-due-title' }, item.title),
        h('span', { class: 'jp-Coursework-note' }, ` due ${item.dueAtLocal}`),
        item.extended ? h('span', { class: 'jp-Coursework-tag', title: 'Your instructor gave you an extension' }, 'extended') : null,
        item.captured ? h('span', { class: 'jp-Coursework-captured', title: item.receiptTitle ?? undefined }, item.captured) : null,
      );
    this.dueList.hidden = groups.every((group) => group.items.length === 0);
    // One course: its due dates; several: each course's under its title.
    this.dueList.replaceChildren(
      ...(groups.length === 1
        ? groups[0]!.items.map(entry)
        : groups.map((group) =>
            h(
              'li',
              { class: 'jp-Coursework-due-course', 'data-course': group.course.id },
              h('span', { class: 'jp-Coursework-due-course-title' }, group.course.title),
              h('ul', {}, ...group.items.map(entry)),
            ),
          )),
    );
  }

  private showNew(assignments: MyFeedbackAssignment[]): void {
    this.listed = assignments;
    const names = newFeedback(assignments, this.seen);
    this.newNote.hidden = names.length === 0;
    this.newText.textContent = `New feedback: ${names.join(', ')} `;
    this.newSignal.emit(names);
  }

  private markAllSeen(): void {
    this.seen = markSeen(this.listed, this.seen);
    try {
      this.options.storage?.setItem(this.storageKey, JSON.stringify(this.seen));
    } catch {
      // Storage full or refused (private mode): the marker goes away for this visit only.
    }
    this.showNew(this.listed);
  }

  private read(): string | null {
    try {
      return this.options.storage?.getItem(this.storageKey) ?? null;
    } catch {
      return null;
    }
  }

  private readonly options: FeedbackHeaderOptions;
  private readonly storageKey: string;
  private seen: SeenReleases;
  private listed: MyFeedbackAssignment[] = [];
  private lastRead = 0;
  private readonly newText = h('span', {});
  private readonly newNote = h('p', { class: 'jp-Coursework-new-feedback', role: 'status' });
  private readonly dueList = h('ul', { class: 'jp-Coursework-due-dates', 'aria-label': 'Your due dates' });
  private readonly newSignal = new Signal<this, string[]>(this);
  private readonly assignmentsSignal = new Signal<this, MyAssignment[]>(this);
}
