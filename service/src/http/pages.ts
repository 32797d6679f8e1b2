/** The one HTML page of the service: who you are and where the API is. The real UI lives in JupyterLab. */
import type { Caller } from '../access/policy';
import type { Course } from '../config';

/** Text made safe inside HTML, in elements and in quoted attributes. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function homePage(view: { caller: Caller; course: Course; prefix: string; version: string }): string {
  const { caller, course, prefix } = view;
  const roles = caller.roles.length > 0 ? caller.roles.join(', ') : 'no role in this course';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Coursework</title></head>
<body>
<h1>Coursework</h1>
<p>Signed in as <strong id="user">${escapeHtml(caller.identity.name)}</strong> (${escapeHtml(roles)})
in <em>${escapeHtml(course.title)}</em>.</p>
<ul>
<li><a href="${escapeHtml(prefix)}api/v1/me">Your identity and permissions (JSON)</a></li>
<li><a href="${escapeHtml(prefix)}api/docs">API documentation</a> (and as <a href="${escapeHtml(prefix)}api/v1/openapi.json">OpenAPI</a>)</li>
</ul>
<p><small>Coursework ${escapeHtml(view.version)}</small></p>
</body>
</html>
`;
}
