/**
 * The body of the "Release as feedback to…" dialog (shown with JupyterLab's showDialog): the student, the
 * assignment, an optional release time and whether to write the files into the student's home as well.
 */
import type { Student } from '@coursework/client';
import { Widget } from '@lumino/widgets';
import { h } from '../common/dom';
import type { ReleaseFormValue } from './release-files';

export interface ReleaseDialogOptions {
  students: readonly Student[];
  /** Prefilled assignment (a folder's name). */
  assignment: string;
  /** What is being released, for the line above the fields. */
  what: string;
}

export class ReleaseDialogBody extends Widget {
  constructor(options: ReleaseDialogOptions) {
    super();
    this.addClass('jp-Coursework-ReleaseDialog');
    this.student = h(
      'select',
      { id: 'coursework-release-student', required: true },
      ...options.students.map((s) => h('option', { value: s.name }, s.name)),
    );
    this.assignment = h('input', {
      type: 'text',
      id: 'coursework-release-assignment',
      required: true,
      autocomplete: 'off',
      placeholder: 'e.g. ps1',
      value: options.assignment,
    });
    this.releaseAt = h('input', { type: 'datetime-local', id: 'coursework-release-at' });
    this.deliver = h('input', { type: 'checkbox', id: 'coursework-release-deliver' });
    this.node.append(
      h('p', { class: 'jp-Coursework-note' }, options.what),
      h(
        'div',
        { class: 'jp-Coursework-form jp-Coursework-grid' },
        h('label', { for: 'coursework-release-student' }, 'Student'),
        this.student,
        h('label', { for: 'coursework-release-assignment' }, 'Assignment'),
        this.assignment,
        h('label', { for: 'coursework-release-at' }, 'Release at (optional)'),
        this.releaseAt,
        h(
          'div',
          { class: 'jp-Coursework-check jp-Coursework-grid-wide' },
          this.deliver,
          h('label', { for: 'coursework-release-deliver' }, 'Also write into the student’s home'),
        ),
      ),
    );
  }

  /** What the fields hold (read by showDialog when a button is pressed; checked by `releaseRequestOf`). */
  getValue(): ReleaseFormValue {
    return {
      student: this.student.value,
      assignment: this.assignment.value,
      releaseAt: this.releaseAt.value,
      deliver: this.deliver.checked,
    };
  }

  private readonly student: HTMLSelectElement;
  private readonly assignment: HTMLInputElement;
  private readonly releaseAt: HTMLInputElement;
  private readonly deliver: HTMLInputElement;
}
