/** The API's documentation page: every operation of the served document, no script, nothing from elsewhere. */
import { createHash } from 'node:crypto';
import { openApiDocument } from '../../src/http/openapi/document';
import { type InProcessApp, startInProcessApp } from '../support/in-process';

let app: InProcessApp;
beforeAll(async () => {
  app = await startInProcessApp();
}, 30000);
afterAll(() => app?.close());

it('documents every operation and schema of the served document, with no script and nothing from elsewhere', async () => {
  const answer = await fetch(`${app.url}${app.prefix}api/docs`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
  const page = await answer.text();
  const document = openApiDocument(app.prefix) as {
    paths: Record<string, Record<string, { operationId: string }>>;
    components: { schemas: object };
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const op of Object.values(item)) {
      expect(page).toContain(`id="${op.operationId}"`);
      expect(page).toContain(`${app.prefix.slice(0, -1)}${path}`);
    }
  }
  for (const name of Object.keys(document.components.schemas)) expect(page).toContain(`id="schema-${name}"`);
  expect(page).not.toMatch(/<script|\bsrc=|href="(?!#|\/services\/coursework\/)/i);
  // The CSP allows the page's one stylesheet, by its hash, and nothing else.
  const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
  const csp = answer.headers.get('content-security-policy')!;
  expect(csp).toContain(`default-src 'none'`);
  expect(csp).toContain(`style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`);
});
