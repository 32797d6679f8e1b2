/** The plugin that finds the service and asks who the user is; the other plugins depend on it. */
import { connectToService, ICoursework, type ServiceConnection } from '@coursework/lab';
import type { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

export const servicePlugin: JupyterFrontEndPlugin<ICoursework> = {
  id: '@coursework/lab-extension:service',
  description: 'Finds the Coursework service from the Hub page config and reads who the user is in the course.',
  autoStart: true,
  provides: ICoursework,
  activate: (): ICoursework => {
    let connection: ServiceConnection | null = null;
    let connectionError: unknown = null;
    try {
      connection = connectToService((name) => PageConfig.getOption(name));
    } catch (error) {
      connectionError = error;
    }
    const me = connection ? connection.client.me() : Promise.reject(connectionError);
    // Each plugin handles the failure its own way; none of them should leave it unhandled.
    me.catch((error: unknown) => console.warn('Coursework: the service cannot tell who you are:', error));
    return { connection, connectionError, me };
  },
};
