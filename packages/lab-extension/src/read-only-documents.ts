/**
 * Documents opened from the read-only drives (students' snapshots, feedback) start no kernel: they are there to be
 * read, an instructor may open dozens, and their notebooks may name kernels this server does not have (which would
 * ask the user to pick one).
 */
import { isReadOnlyDrivePath } from '@coursework/lab';
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import type { DocumentRegistry } from '@jupyterlab/docregistry';

export const readOnlyDocumentsPlugin: JupyterFrontEndPlugin<void> = {
  id: '@coursework/lab-extension:read-only-documents',
  description: 'Documents of the Coursework drives open without starting a kernel.',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    const watched = new Set<DocumentRegistry.WidgetFactory>();
    const watch = (factory: DocumentRegistry.WidgetFactory | undefined) => {
      if (!factory || watched.has(factory) || !(factory.preferKernel || factory.canStartKernel)) return;
      watched.add(factory);
      // Emitted before the document's context starts its session, so the preference applies to it.
      factory.widgetCreated.connect((_, widget) => {
        const { sessionContext, path } = widget.context;
        if (!isReadOnlyDrivePath(path)) return;
        sessionContext.kernelPreference = {
          ...sessionContext.kernelPreference,
          canStart: false,
          shouldStart: false,
          autoStartDefault: false,
        };
      });
    };
    for (const factory of app.docRegistry.widgetFactories()) watch(factory);
    // Factories of plugins activated after this one.
    app.docRegistry.changed.connect((registry, change) => {
      if (change.type === 'widgetFactory' && change.change === 'added' && change.name) watch(registry.getWidgetFactory(change.name));
    });
  },
};
