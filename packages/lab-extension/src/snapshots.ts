/**
 * The `CourseworkSnapshots` drive (registered at start, so that restored documents from it open) and the
 * "Browse snapshots" command, for instructors, that shows a file browser over it.
 */
import { ICoursework, type ServiceConnection, SNAPSHOTS_DRIVE_NAME, SnapshotsDrive, teachesACourse } from '@coursework/lab';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { type FileBrowser, IFileBrowserFactory } from '@jupyterlab/filebrowser';
import { CommandIDs, PALETTE_CATEGORY } from './commands';
import { courseworkIcon } from './icons';

const BROWSER_ID = 'coursework-snapshots-browser';

export const snapshotsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@coursework/lab-extension:snapshots',
  description: 'Students’ snapshots as a read-only drive, with a file browser over it for instructors.',
  autoStart: true,
  requires: [ICoursework, IFileBrowserFactory],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, coursework: ICoursework, factory: IFileBrowserFactory, palette: ICommandPalette | null): void => {
    const { connection } = coursework;
    if (!connection) return;
    app.serviceManager.contents.addDrive(new SnapshotsDrive({ connection, serverSettings: app.serviceManager.serverSettings }));
    void coursework.me.then(
      (me) => {
        if (teachesACourse(me)) addBrowseCommand(app, factory, palette, connection);
      },
      () => undefined, // the service plugin reports it
    );
  },
};

function addBrowseCommand(
  app: JupyterFrontEnd,
  factory: IFileBrowserFactory,
  palette: ICommandPalette | null,
  connection: ServiceConnection,
): void {
  let browser: FileBrowser | null = null;
  // The drive shows the course the instructor panel shows: another course starts again from its list of students.
  connection.courseChanged.connect(() => {
    if (browser && !browser.isDisposed) void browser.model.cd('/');
  });
  app.commands.addCommand(CommandIDs.browseSnapshots, {
    label: 'Coursework: Browse snapshots',
    caption: 'Students’ snapshots, read-only',
    icon: courseworkIcon,
    execute: () => {
      if (!browser || browser.isDisposed) {
        browser = factory.createFileBrowser(BROWSER_ID, { driveName: SNAPSHOTS_DRIVE_NAME, restore: false, allowFileUploads: false });
        browser.title.icon = courseworkIcon;
        browser.title.caption = 'Coursework snapshots (read-only)';
        browser.title.label = 'Snapshots';
        app.shell.add(browser, 'left', { rank: 610 });
      }
      app.shell.activateById(browser.id);
    },
  });
  palette?.addItem({ command: CommandIDs.browseSnapshots, category: PALETTE_CATEGORY });
}
