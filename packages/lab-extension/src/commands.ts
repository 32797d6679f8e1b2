/** The ids of Coursework's commands. */
export namespace CommandIDs {
  export const openInstructorPanel = 'coursework:open-instructor-panel';
  export const takeSnapshot = 'coursework:take-snapshot';
  export const browseSnapshots = 'coursework:browse-snapshots';
  export const copyFeedbackToHome = 'coursework:copy-feedback-to-home';
  export const releaseAsFeedback = 'coursework:release-as-feedback';
}

/** The command palette's category for them. */
export const PALETTE_CATEGORY = 'Coursework';
