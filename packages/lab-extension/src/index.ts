/** Coursework's JupyterLab plugins (the widgets, drives and models are in @coursework/lab). */
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { feedbackPlugin } from './feedback';
import { instructorPlugin } from './instructor';
import { readOnlyDocumentsPlugin } from './read-only-documents';
import { releasePlugin } from './release';
import { servicePlugin } from './service';
import { snapshotsPlugin } from './snapshots';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  servicePlugin,
  instructorPlugin,
  snapshotsPlugin,
  feedbackPlugin,
  releasePlugin,
  readOnlyDocumentsPlugin,
];

export default plugins;
