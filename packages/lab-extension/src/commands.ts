/** The ids of Coursework's commands. */
export const CommandIDs = {
  openInstructorPanel: 'coursework:open-instructor-panel',
  takeSnapshot: 'coursework:take-snapshot',
  browseSnapshots: 'coursework:browse-snapshots',
  copyFeedbackToHome: 'coursework:copy-feedback-to-home',
  releaseAsFeedback: 'coursework:release-as-feedback',
  openClassWorkspace: 'coursework:open-class-workspace',
} as const;

/** The command palette's category for them. */
export const PALETTE_CATEGORY = 'Coursework';
