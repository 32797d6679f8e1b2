/**
 * "Release as feedback to…" in the context menu of the instructor's own file browser: the selected files (or a
 * folder's files) go to one student as feedback on an assignment. Only for users the service lets release.
 */
import {
  describeError,
  ICoursework,
  ReleaseDialogBody,
  releaseRequestOf,
  releaseSelection,
  releaseSummary,
  type SelectedItem,
  type ServiceConnection,
  suggestedAssignment,
  teachesACourse,
} from '@coursework/lab';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { type FileBrowser, IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { CommandIDs } from './commands';
import { courseworkIcon } from './icons';

export const releasePlugin: JupyterFrontEndPlugin<void> = {
  id: '@coursework/lab-extension:release',
  description: 'Releases files of the instructor’s file browser as feedback to a student.',
  autoStart: true,
  requires: [ICoursework, IDefaultFileBrowser],
  activate: (app: JupyterFrontEnd, coursework: ICoursework, browser: FileBrowser): void => {
    const { connection } = coursework;
    if (!connection) return;
    void coursework.me.then(
      (me) => {
        // Graders release feedback too; the release goes to the course the instructor panel shows.
        if (teachesACourse(me)) addReleaseCommand(app, connection, browser);
      },
      () => undefined, // the service plugin reports it
    );
  },
};

function addReleaseCommand(app: JupyterFrontEnd, connection: ServiceConnection, browser: FileBrowser): void {
  // The Feedback section lives inside the default browser (4.6); its read-only items are not the instructor's.
  const inFeedbackSection = () => app.contextMenuHitTest((node) => node.classList.contains('jp-Coursework-FeedbackBrowser')) !== undefined;
  const selected = (): SelectedItem[] => [...browser.selectedItems()].map((item) => ({ path: item.path, type: item.type }));
  app.commands.addCommand(CommandIDs.releaseAsFeedback, {
    label: 'Release as feedback to…',
    caption: 'Release the selected files (or a folder’s files) to a student as feedback',
    icon: courseworkIcon,
    isVisible: () => !inFeedbackSection(),
    isEnabled: () => selected().length > 0,
    execute: async () => {
      const items = selected();
      if (items.length === 0) return;
      await releaseWithDialog(app, connection, items);
    },
  });
  app.contextMenu.addItem({ command: CommandIDs.releaseAsFeedback, selector: '#filebrowser .jp-DirListing-item', rank: 12 });
}

async function releaseWithDialog(app: JupyterFrontEnd, connection: ServiceConnection, items: SelectedItem[]): Promise<void> {
  let students;
  try {
    students = await connection.client.allStudents();
  } catch (error) {
    Notification.error(`Could not read the course’s students: ${describeError(error)}`);
    return;
  }
  const what =
    items.length === 1
      ? `${items[0]!.type === 'directory' ? 'The files of' : 'The file'} ${items[0]!.path}`
      : `${items.length} selected items`;
  const body = new ReleaseDialogBody({ students, assignment: suggestedAssignment(items), what });
  const answer = await showDialog({
    title: 'Release as feedback',
    body,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Release' })],
    focusNodeSelector: 'select',
  });
  if (!answer.button.accept || !answer.value) return;
  try {
    const request = releaseRequestOf(answer.value);
    const { paths } = await releaseSelection(connection.client, app.serviceManager.contents, items, request);
    Notification.success(releaseSummary(request, paths), { autoClose: 8000 });
  } catch (error) {
    Notification.error(`Could not release the feedback: ${describeError(error)}`, { autoClose: false });
  }
}
