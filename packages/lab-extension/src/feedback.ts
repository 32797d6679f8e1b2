/**
 * The students' "Feedback": a read-only drive over their released feedback, shown as a section of the default
 * file browser (JupyterLab ≥ 4.6) or, on older versions, as a side bar panel of its own.
 */
import {
  copyFeedbackToHome,
  copySummary,
  describeError,
  DueStatusItem,
  FEEDBACK_DRIVE_NAME,
  FeedbackDrive,
  FeedbackHeader,
  FeedbackSection,
  ICoursework,
  type ServiceConnection,
} from '@coursework/lab';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { IDefaultFileBrowser, type FileBrowser, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { IStatusBar } from '@jupyterlab/statusbar';
import { CommandIDs } from './commands';
import { courseworkIcon } from './icons';

const BROWSER_ID = 'coursework-feedback-browser';

export const feedbackPlugin: JupyterFrontEndPlugin<void> = {
  id: '@coursework/lab-extension:feedback',
  description: 'Feedback released to the student, as a read-only section of the file browser.',
  autoStart: true,
  requires: [ICoursework, IFileBrowserFactory, IDefaultFileBrowser],
  optional: [IStatusBar],
  activate: (
    app: JupyterFrontEnd,
    coursework: ICoursework,
    factory: IFileBrowserFactory,
    defaultBrowser: FileBrowser,
    statusBar: IStatusBar | null,
  ): void => {
    const { connection } = coursework;
    // Registered at once, so that documents restored from the drive open.
    const drive = connection ? new FeedbackDrive({ connection, serverSettings: app.serviceManager.serverSettings }) : null;
    if (drive) app.serviceManager.contents.addDrive(drive);
    const show = (user: string | null) => {
      const { section, browser, header } = createSection(factory, connection, drive, user);
      addSection(app, defaultBrowser, section);
      if (drive && browser) addCopyCommand(app, drive, browser, defaultBrowser);
      if (statusBar && header) {
        const item = new DueStatusItem({ header, open: () => openSection(app, defaultBrowser, section) });
        statusBar.registerStatusItem('@coursework/lab-extension:due', { item, align: 'left', rank: 10 });
      }
    };
    void coursework.me.then(
      // Instructors who are not also students have no feedback of their own.
      (me) => me.roles.includes('student') && show(me.name),
      // Without an answer, the section says why feedback cannot be shown.
      () => show(null),
    );
  },
};

/** "Copy to my home" in the context menu of feedback files and folders: into the folder the default file browser shows. */
function addCopyCommand(app: JupyterFrontEnd, drive: FeedbackDrive, browser: FileBrowser, defaultBrowser: FileBrowser): void {
  const { contents } = app.serviceManager;
  app.commands.addCommand(CommandIDs.copyFeedbackToHome, {
    label: 'Copy to my home',
    caption: 'Copy this feedback (a file, or a folder with all its files) into the folder open in the file browser',
    isEnabled: () => !browser.selectedItems().next().done,
    execute: async () => {
      for (const item of [...browser.selectedItems()]) {
        try {
          const result = await copyFeedbackToHome(drive, contents, contents.localPath(item.path), defaultBrowser.model.path);
          Notification.success(copySummary(item.name, result), { autoClose: 5000 });
        } catch (error) {
          Notification.error(`Could not copy ${item.name}: ${describeError(error)}`);
        }
      }
    },
  });
  app.contextMenu.addItem({
    command: CommandIDs.copyFeedbackToHome,
    selector: '.jp-Coursework-FeedbackBrowser .jp-DirListing-item',
    rank: 1,
  });
}

function createSection(
  factory: IFileBrowserFactory,
  connection: ServiceConnection | null,
  drive: FeedbackDrive | null,
  user: string | null,
): { section: FeedbackSection; browser: FileBrowser | null; header?: FeedbackHeader } {
  if (!connection || !drive)
    return { section: new FeedbackSection({ error: new Error('JupyterLab does not run under JupyterHub') }), browser: null };
  const browser = factory.createFileBrowser(BROWSER_ID, { driveName: FEEDBACK_DRIVE_NAME, restore: false, allowFileUploads: false });
  browser.addClass('jp-Coursework-FeedbackBrowser');
  // Due dates and the new-feedback marker need to know whose they are; without an answer from the service, neither.
  const header = user ? new FeedbackHeader({ client: connection.client, drive, storage: localStorageOrNull(), user }) : undefined;
  return { section: new FeedbackSection({ drive, browser, header }), browser, header };
}

/** Shows the Feedback section: the file browser it is in, the section expanded, scrolled to and focused. */
function openSection(app: JupyterFrontEnd, defaultBrowser: FileBrowser, section: FeedbackSection): void {
  const accordion = (defaultBrowser as Partial<Pick<FileBrowser, 'accordionPanel'>>).accordionPanel;
  if (accordion && defaultBrowser.node.contains(section.node)) {
    app.shell.activateById(defaultBrowser.id);
    const index = accordion.widgets.indexOf(section);
    if (index >= 0 && !section.isVisible) accordion.expand(index);
  } else {
    app.shell.activateById(section.id);
  }
  section.node.scrollIntoView({ block: 'nearest' });
  section.node.focus();
}

/** In the default file browser when it hosts sections (4.6), else a side bar panel of its own. */
function addSection(app: JupyterFrontEnd, defaultBrowser: FileBrowser, section: FeedbackSection): void {
  section.title.icon = courseworkIcon;
  const host = defaultBrowser as Partial<Pick<FileBrowser, 'addSection'>>;
  if (typeof host.addSection === 'function') host.addSection.call(defaultBrowser, section);
  else app.shell.add(section, 'left', { rank: 620 });
}

/** The browser's localStorage, or null where it is refused (some privacy settings throw on access). */
function localStorageOrNull(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
