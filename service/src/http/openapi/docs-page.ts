/**
 * The API's documentation as a page of the service (`api/docs`), rendered here from the same OpenAPI document the
 * service serves: every operation with its method, path, parameters, body and answers, then every schema. Plain
 * HTML and one stylesheet in the page, no script and nothing loaded from elsewhere, under a CSP that allows exactly
 * that stylesheet.
 */
import { createHash } from 'node:crypto';
import { escapeHtml } from '../pages';

/** `code` spans for backquoted words, as the document's descriptions use them. */
const prose = (text: string | undefined): string => escapeHtml(text ?? '').replace(/`([^`]+)`/g, '<code>$1</code>');

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; background: #fff; }
h1 { margin-bottom: 0; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
section.op { border: 1px solid #ddd; border-radius: 6px; margin: 1rem 0; padding: 0.5rem 1rem; }
.method { font-weight: 700; text-transform: uppercase; margin-right: 0.5rem; }
.path { font-family: ui-monospace, monospace; }
table { border-collapse: collapse; margin: 0.5rem 0; } td, th { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; }
pre { background: #f5f5f7; padding: 0.5rem; overflow-x: auto; font-size: 13px; }
code { font-family: ui-monospace, monospace; background: #f5f5f7; padding: 0 0.2rem; }
@media (prefers-color-scheme: dark) { body { color: #e8e8ea; background: #1d1d1f; } pre, code { background: #2d2d30; } td, th, section.op { border-color: #444; } }
`;

/** The page's Content-Security-Policy: its own stylesheet, nothing else. */
export const DOCS_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'`;

interface Operation {
  operationId: string;
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

interface Document {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/** `#/components/schemas/Job` → a link to it; any other schema, as JSON. */
function schemaHtml(schema: unknown): string {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (ref?.startsWith('#/components/schemas/')) {
    const name = ref.slice('#/components/schemas/'.length);
    return `<a href="#schema-${escapeHtml(name)}">${escapeHtml(name)}</a>`;
  }
  return schema === undefined ? '' : `<code>${escapeHtml(JSON.stringify(schema))}</code>`;
}

function operationHtml(method: string, path: string, op: Operation): string {
  const parameters = (op.parameters ?? [])
    .map(
      (p) =>
        `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}${p.required ? ', required' : ''}</td><td>${schemaHtml(p.schema)}</td><td>${prose(p.description)}</td></tr>`,
    )
    .join('');
  const body = op.requestBody?.content
    ? `<p>Body${op.requestBody.required ? '' : ' (optional)'}: ${Object.entries(op.requestBody.content)
        .map(([type, media]) => `<code>${escapeHtml(type)}</code> ${schemaHtml(media.schema)}`)
        .join('; ')}</p>`
    : '';
  const answers = Object.entries(op.responses)
    .map(
      ([status, answer]) =>
        `<tr><td>${escapeHtml(status)}</td><td>${prose(answer.description)}</td><td>${Object.entries(answer.content ?? {})
          .map(([type, media]) => `<code>${escapeHtml(type)}</code> ${schemaHtml(media.schema)}`)
          .join('<br>')}</td></tr>`,
    )
    .join('');
  return `<section class="op" id="${escapeHtml(op.operationId)}">
<h3><span class="method">${escapeHtml(method)}</span><span class="path">${escapeHtml(path)}</span></h3>
<p>${prose(op.summary)}</p>
${parameters ? `<table><tr><th>parameter</th><th>in</th><th>schema</th><th>meaning</th></tr>${parameters}</table>` : ''}
${body}
<table><tr><th>answer</th><th>meaning</th><th>body</th></tr>${answers}</table>
</section>`;
}

/** The whole page, for a service at `prefix`. */
export function docsPage(document: unknown, prefix: string): string {
  const doc = document as Document;
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => operationHtml(method, `${prefix.slice(0, -1)}${path}`, op)),
  );
  const schemas = Object.entries(doc.components.schemas).map(
    ([name, schema]) =>
      `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`,
  );
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)} API</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(doc.info.title)} API</h1>
<p>Version ${escapeHtml(doc.info.version)}. ${prose(doc.info.description)}</p>
<p>Every call but the public ones carries a JupyterHub token: <code>Authorization: token &lt;token&gt;</code>. The same
description as JSON: <a href="${escapeHtml(prefix)}api/v1/openapi.json">api/v1/openapi.json</a>.</p>
<h2>Operations</h2>
${operations.join('\n')}
<h2>Schemas</h2>
${schemas.join('\n')}
</body>
</html>
`;
}
