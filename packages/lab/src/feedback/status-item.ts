/**
 * The students' status bar item: their next due time with a countdown, the receipt of their latest capture in its
 * tooltip, and a badge while feedback they have not looked at waits. Clicking it opens the Feedback section.
 */
import type { MyAssignment } from '@coursework/client';
import { Widget } from '@lumino/widgets';
import { nextDue } from '../assignments/next-due';
import { h } from '../common/dom';
import type { FeedbackHeader } from './feedback-header';

export interface DueStatusOptions {
  header: FeedbackHeader;
  /** Opens the Feedback section. */
  open: () => void;
  /** How often the countdown is redrawn. */
  tickMs?: number;
}

export class DueStatusItem extends Widget {
  constructor(options: DueStatusOptions) {
    super();
    this.addClass('jp-Coursework-StatusItem');
    this.button.addEventListener('click', () => options.open());
    this.button.append(this.text, this.badge);
    this.badge.hidden = true;
    this.node.append(this.button);
    options.header.assignmentsChanged.connect((_, assignments) => {
      this.assignments = assignments;
      this.render();
    });
    options.header.newChanged.connect((_, names) => {
      this.unseen = names;
      this.render();
    });
    this.timer = setInterval(() => this.render(), options.tickMs ?? 30_000);
    this.render();
  }

  override dispose(): void {
    clearInterval(this.timer);
    super.dispose();
  }

  private render(): void {
    const summary = this.assignments ? nextDue(this.assignments) : null;
    this.text.textContent = summary?.text ?? 'Coursework';
    this.button.classList.toggle('jp-mod-soon', summary?.soon === true);
    this.badge.hidden = this.unseen.length === 0;
    this.badge.textContent = `${this.unseen.length} new`;
    const feedback = this.unseen.length > 0 ? ` New feedback: ${this.unseen.join(', ')}.` : '';
    const description = `${summary?.description ?? 'Your due dates and feedback.'}${feedback} Opens your feedback.`;
    this.button.title = description;
    this.button.setAttribute('aria-label', description);
  }

  private assignments: MyAssignment[] | null = null;
  private unseen: string[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly text = h('span', { class: 'jp-Coursework-StatusItem-text' });
  private readonly badge = h('span', { class: 'jp-Coursework-badge' });
  private readonly button = h('button', { type: 'button', class: 'jp-Coursework-StatusItem-button' });
}
