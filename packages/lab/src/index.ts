/** Coursework's JupyterLab library: the service connection, the read-only drives, the panels and their models. */
export * from './connection';
export * from './content';
export * from './copy-to-home';
export * from './download';
export * from './drive-paths';
export * from './feedback-drive';
export * from './feedback-section';
export * from './instructor-model';
export * from './instructor-panel';
export * from './readonly-drive';
export * from './snapshots-drive';
export * from './tokens';
export * from './tree';
