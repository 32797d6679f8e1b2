/**
 * Typed client of the Coursework REST API (see the service's `api/v1/openapi.json`), shared by the JupyterLab
 * extension, scripts and the service's own integration tests: the wire types, and the client.
 */

export * from './client';
export * from './wire';
