/**
 * The students' "Feedback": a read-only drive over their released feedback, shown as a section of the default
 * file browser (JupyterLab ≥ 4.6) or, on older versions, as a side bar panel of its own.
 */
import { FEEDBACK_DRIVE_NAME, FeedbackDrive, FeedbackSection, ICoursework, type ServiceConnection } from '@coursework/lab';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IDefaultFileBrowser, type FileBrowser, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import type { Widget } from '@lumino/widgets';
import { courseworkIcon } from './icons';

const BROWSER_ID = 'coursework-feedback-browser';

export const feedbackPlugin: JupyterFrontEndPlugin<void> = {
  id: '@coursework/lab-extension:feedback',
  description: 'Feedback released to the student, as a read-only section of the file browser.',
  autoStart: true,
  requires: [ICoursework, IFileBrowserFactory, IDefaultFileBrowser],
  activate: (app: JupyterFrontEnd, coursework: ICoursework, factory: IFileBrowserFactory, defaultBrowser: FileBrowser): void => {
    const { connection } = coursework;
    // Registered at once, so that documents restored from the drive open.
    const drive = connection ? new FeedbackDrive({ connection, serverSettings: app.serviceManager.serverSettings }) : null;
    if (drive) app.serviceManager.contents.addDrive(drive);
    void coursework.me.then(
      (me) => {
        // Instructors who are not also students have no feedback of their own.
        if (me.roles.includes('student')) addSection(app, defaultBrowser, createSection(factory, connection, drive));
      },
      // The section then says why feedback cannot be shown.
      () => addSection(app, defaultBrowser, createSection(factory, connection, drive)),
    );
  },
};

function createSection(factory: IFileBrowserFactory, connection: ServiceConnection | null, drive: FeedbackDrive | null): FeedbackSection {
  if (!connection || !drive) return new FeedbackSection({ error: new Error('JupyterLab does not run under JupyterHub') });
  const browser = factory.createFileBrowser(BROWSER_ID, { driveName: FEEDBACK_DRIVE_NAME, restore: false, allowFileUploads: false });
  browser.addClass('jp-Coursework-FeedbackBrowser');
  return new FeedbackSection({ drive, browser });
}

/** In the default file browser when it hosts sections (4.6), else a side bar panel of its own. */
function addSection(app: JupyterFrontEnd, defaultBrowser: FileBrowser, section: Widget): void {
  section.title.icon = courseworkIcon;
  const host = defaultBrowser as Partial<Pick<FileBrowser, 'addSection'>>;
  if (typeof host.addSection === 'function') host.addSection.call(defaultBrowser, section);
  else app.shell.add(section, 'left', { rank: 620 });
}
