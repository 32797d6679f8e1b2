/**
 * The "Feedback" section of the file browser: a browser over the Feedback drive, under a line that says when
 * there is nothing to show yet or the service cannot be reached (instead of an empty or broken listing), and
 * optionally a header with the student's due dates and a marker of new feedback.
 */
import { Panel, Widget } from '@lumino/widgets';
import { describeError } from '../common/connection';
import type { FeedbackDrive, RootListing } from './feedback-drive';
import type { FeedbackHeader } from './feedback-header';

export const FEEDBACK_SECTION_ID = 'coursework-feedback';

export const FEEDBACK_MESSAGES = {
  loading: 'Loading feedback…',
  empty: 'No feedback has been released to you yet.',
  unavailable: 'Feedback is unavailable right now',
} as const;

const FEEDBACK_CAPTION = 'Feedback released to you by your instructors (read-only)';

export class FeedbackSection extends Panel {
  /** `browser` lists the drive; without a drive (no service to reach) the section shows only `error`. */
  constructor(options: { drive: FeedbackDrive; browser: Widget; header?: FeedbackHeader } | { error: unknown }) {
    super();
    this.id = FEEDBACK_SECTION_ID;
    this.title.label = 'Feedback';
    this.title.caption = FEEDBACK_CAPTION;
    this.addClass('jp-Coursework-FeedbackSection');
    this.message.addClass('jp-Coursework-message');
    this.message.node.setAttribute('role', 'status');
    this.addWidget(this.message);
    if ('error' in options) {
      this.setMessage(FEEDBACK_MESSAGES.unavailable, options.error);
      return;
    }
    this.listing = options.browser;
    if (options.header) {
      this.addWidget(options.header);
      // The section's title carries the marker too, so that it shows while the section is collapsed (an accordion
      // title renders only the label, not the title's class).
      options.header.newChanged.connect((_, names) => {
        this.title.label = names.length > 0 ? 'Feedback (new)' : 'Feedback';
        this.title.caption = names.length > 0 ? `New feedback: ${names.join(', ')}` : FEEDBACK_CAPTION;
      });
    }
    this.addWidget(options.browser);
    options.drive.rootListed.connect((_, listing) => this.showListing(listing));
    this.setMessage(FEEDBACK_MESSAGES.loading);
  }

  private showListing(listing: RootListing): void {
    if (!listing.ok) this.setMessage(FEEDBACK_MESSAGES.unavailable, listing.error);
    else if (listing.assignments.length === 0) this.setMessage(FEEDBACK_MESSAGES.empty);
    else this.setMessage(null);
  }

  /** Shows `text` (and the error's reason) above the listing, or nothing when `text` is null. */
  private setMessage(text: string | null, error?: unknown): void {
    const node = this.message.node;
    node.textContent = error === undefined ? text : `${text}: ${describeError(error)}`;
    node.classList.toggle('jp-mod-error', error !== undefined);
    this.message.setHidden(text === null);
    this.listing?.setHidden(text !== null && error !== undefined);
  }

  private readonly message = new Widget();
  private listing: Widget | null = null;
}
