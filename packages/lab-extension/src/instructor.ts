/**
 * The instructor panel in the right side bar, with its commands; for users who teach a course (instructors and
 * graders). With several courses it switches between them, remembering the last one per user.
 */
import {
  AssignmentsModel,
  AssignmentsSection,
  BulkFeedbackSection,
  type ChartRenderer,
  ClassWorkspace,
  ICoursework,
  initialCourse,
  VEGA_LITE_MIME,
  InstructorModel,
  InstructorPanel,
  RosterSection,
  type TaughtCourse,
  taughtCourses,
} from '@coursework/lab';
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { CommandIDs, PALETTE_CATEGORY } from './commands';
import { courseworkIcon } from './icons';

const PLUGIN_ID = '@coursework/lab-extension:instructor';

export const instructorPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The Coursework instructor panel: students × snapshots, taking snapshots, zip downloads, assignments, bulk feedback.',
  autoStart: true,
  requires: [ICoursework],
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry, ILauncher, IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    coursework: ICoursework,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settings: ISettingRegistry | null,
    launcher: ILauncher | null,
    rendermime: IRenderMimeRegistry | null,
  ): void => {
    // The class workspace's command and its restoration are registered now, while JupyterLab restores its layout
    // (the restorer takes no tracker once that is done); the command opens the workspace once the panel is ready.
    const workspaces = new WidgetTracker<MainAreaWidget<ClassWorkspace>>({ namespace: 'coursework-class' });
    let ready!: (open: (() => void) | null) => void;
    const opener = new Promise<(() => void) | null>((resolve) => (ready = resolve));
    app.commands.addCommand(CommandIDs.openClassWorkspace, {
      // The launcher's card says less: it sits under "Coursework" already.
      label: (args) => (args.isLauncher ? 'Class workspace' : 'Coursework: Open class workspace'),
      caption: 'The whole class at once: a row per student, a column per assignment',
      icon: courseworkIcon,
      // Not awaited by the restorer either: the layout is not held up by the service.
      execute: () => void opener.then((open) => open?.()),
    });
    void restorer?.restore(workspaces, { command: CommandIDs.openClassWorkspace, name: () => 'class' });
    // Not awaited: JupyterLab must not wait for the service to start.
    const renderChart = rendermime ? chartRenderer(rendermime) : undefined;
    void addPanel(app, coursework, palette, restorer, settings, launcher, workspaces, renderChart).then(ready, () => ready(null));
  },
};

/** Charts drawn by JupyterLab's own Vega-Lite renderer (the one notebooks' outputs use) into a workspace's element. */
function chartRenderer(rendermime: IRenderMimeRegistry): ChartRenderer | undefined {
  if (!rendermime.mimeTypes.includes(VEGA_LITE_MIME)) return undefined;
  return async (spec, host) => {
    const renderer = rendermime.createRenderer(VEGA_LITE_MIME);
    const remove = () => {
      if (renderer.isAttached) Widget.detach(renderer);
      renderer.dispose();
    };
    Widget.attach(renderer, host);
    try {
      await renderer.renderModel(rendermime.createModel({ data: { [VEGA_LITE_MIME]: spec as never }, trusted: true }));
    } catch (error) {
      remove();
      throw error;
    }
    return { dispose: remove };
  };
}

async function addPanel(
  app: JupyterFrontEnd,
  coursework: ICoursework,
  palette: ICommandPalette | null,
  restorer: ILayoutRestorer | null,
  settings: ISettingRegistry | null,
  launcher: ILauncher | null,
  workspaces: WidgetTracker<MainAreaWidget<ClassWorkspace>>,
  renderChart: ChartRenderer | undefined,
): Promise<(() => void) | null> {
  const { connection } = coursework;
  const me = await coursework.me.catch(() => null);
  if (!connection || !me) return null;
  const taught = taughtCourses(me);
  if (taught.length === 0) return null;

  const pollIntervalMs = await pollInterval(settings);
  const storageKey = `coursework:course:${me.name}`;
  let panel: InstructorPanel | null = null;

  // The class workspace, one in the main area, on the course the panel is on (switching either moves both); restored
  // with the layout.
  const openWorkspace = () => {
    let workspace = workspaces.currentWidget;
    if (!workspace || workspace.isDisposed) {
      workspace = new MainAreaWidget({
        content: new ClassWorkspace(connection, {
          contents: app.serviceManager.contents,
          courses: taught,
          onSwitchCourse: (id) => switchTo(id),
          ...(renderChart ? { renderChart } : {}),
        }),
      });
      workspace.id = 'coursework-class';
      workspace.title.icon = courseworkIcon;
      app.shell.add(workspace, 'main');
      void workspaces.add(workspace);
    }
    app.shell.activateById(workspace.id);
  };

  /** Builds the panel for `course` (replacing the one shown), with the sections the user's rights there allow. */
  const show = async (course: TaughtCourse) => {
    // The default course through the routes without a course in their path, as scripts use them.
    connection.useCourse(course.default ? undefined : course.id);
    const permissions = (await connection.client.course(course.id).catch(() => null))?.permissions ?? [];
    const model = new InstructorModel({ client: connection.client, pollIntervalMs });
    const next = new InstructorPanel({
      model,
      connection,
      courseTitle: course.title,
      courses: taught,
      courseId: course.id,
      onSwitchCourse: (id) => switchTo(id),
      canTakeSnapshots: permissions.includes('createSnapshots'),
      onOpenWorkspace: openWorkspace,
    });
    next.title.icon = courseworkIcon;
    if (permissions.includes('listAssignments')) {
      const assignments = new AssignmentsModel({ client: connection.client, pollIntervalMs });
      const rights = {
        create: permissions.includes('createAssignment'),
        extend: permissions.includes('grantExtension'),
        capture: permissions.includes('triggerAssignment'),
      };
      next.addSection(new AssignmentsSection(assignments, connection, rights));
      void assignments.refresh();
    }
    if (permissions.includes('releaseFeedbackZip')) next.addSection(new BulkFeedbackSection(connection.client));
    if (permissions.includes('listRoster')) {
      const roster = new RosterSection({
        client: connection.client,
        course: course.id,
        canChange: permissions.includes('addRosterMembers'),
      });
      next.addSection(roster);
      void roster.refresh();
    }
    const switching = panel !== null;
    panel?.dispose();
    panel = next;
    app.shell.add(next, 'right', { rank: 600 });
    restorer?.add(next, next.id);
    if (switching) app.shell.activateById(next.id);
    void model.refresh();
  };
  const switchTo = (id: string) => {
    const course = taught.find((c) => c.id === id);
    if (!course) return;
    try {
      localStorage.setItem(storageKey, id);
    } catch {
      // Storage refused (private mode): the choice lasts for this page only.
    }
    void show(course);
  };
  let remembered: string | null = null;
  try {
    remembered = localStorage.getItem(storageKey);
  } catch {
    // as above
  }
  await show(initialCourse(taught, remembered)!);

  /**
   * Shows the panel and gives it the keyboard, where `focus` puts it. A command run from the command palette is
   * followed, in the same turn, by the palette closing, which activates the main area's current tab; that tab takes
   * the keyboard when its activation runs, and activates what it holds in turn (a notebook, then its cell). So the
   * panel waits for the end of this turn, runs those activations (a few levels deep), and only then takes the keyboard.
   * Until JupyterLab has restored its layout it waits for that too: the restore collapses the side bars the layout
   * has closed, this panel's among them.
   */
  const showWithKeyboard = (focus: () => void) => {
    void app.restored.then(() => {
      for (let depth = 0; depth < 4; depth++) MessageLoop.flush();
      focus();
      if (panel) app.shell.activateById(panel.id);
    });
  };
  app.commands.addCommand(CommandIDs.openInstructorPanel, {
    label: 'Coursework: Open instructor panel',
    caption: 'Students and their snapshots',
    icon: courseworkIcon,
    execute: () => showWithKeyboard(() => panel?.focusPanel()),
  });
  app.commands.addCommand(CommandIDs.takeSnapshot, {
    label: 'Coursework: Take snapshot',
    caption: 'Take a snapshot of students’ homes',
    execute: () => showWithKeyboard(() => panel?.focusSnapshotForm()),
  });
  // Those who teach (this far only for them) get a card in the launcher.
  launcher?.add({ command: CommandIDs.openClassWorkspace, category: PALETTE_CATEGORY, rank: 1 });
  for (const command of [CommandIDs.openInstructorPanel, CommandIDs.takeSnapshot, CommandIDs.openClassWorkspace]) {
    palette?.addItem({ command, category: PALETTE_CATEGORY });
  }
  return openWorkspace;
}

/** The job polling interval from the settings (schema/instructor.json), or its default. */
async function pollInterval(settings: ISettingRegistry | null): Promise<number> {
  const fallback = 1000;
  if (!settings) return fallback;
  try {
    const value = (await settings.load(PLUGIN_ID)).get('pollIntervalMs').composite;
    return typeof value === 'number' && value > 0 ? value : fallback;
  } catch (error) {
    console.warn('Coursework: could not read the instructor settings:', error);
    return fallback;
  }
}
