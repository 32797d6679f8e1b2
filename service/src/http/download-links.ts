/**
 * Short-lived download links: a caller who authenticates with a token header (the JupyterLab extension) asks for a
 * link to one download and hands it to the browser, which then streams the file to disk itself instead of the page
 * holding a whole zip in memory. A link is an unguessable id bound to one exact path (query included) and to the
 * caller as resolved when it was made; it lasts a minute, and every use goes through the policy again with that
 * caller, so a link never grants more than its maker has.
 */
import { randomBytes } from 'node:crypto';
import type { Caller, Operation } from '../access/policy';

/** The GET operations a link may stand in for: downloads only, never API reads or writes. */
export const LINKABLE: ReadonlySet<Operation> = new Set<Operation>([
  'getSnapshotFile',
  'getStudentSnapshotZip',
  'getSnapshotNameZip',
  'getStudentFeedbackFile',
  'getMyFeedbackFile',
  'getAssignmentStatus',
]);

export const LINK_TTL_MS = 60_000;
const MAX_LINKS = 10_000;

interface Link {
  caller: Caller;
  /** Absolute path with its query, without the `link` parameter. */
  target: string;
  expires: number;
}

/** `/a/b?x=1&link=…&y=2` → `/a/b?x=1&y=2` */
export function withoutLinkParameter(url: string): string {
  const [pathPart, query = ''] = url.split('?', 2) as [string, string?];
  const rest = query.split('&').filter((pair) => pair !== '' && !pair.startsWith('link='));
  return rest.length > 0 ? `${pathPart}?${rest.join('&')}` : pathPart;
}

export class DownloadLinks {
  private readonly links = new Map<string, Link>();

  constructor(private readonly now: () => number = Date.now) {}

  create(caller: Caller, target: string): { id: string; expiresAt: string } {
    this.sweep();
    if (this.links.size >= MAX_LINKS) this.links.delete(this.links.keys().next().value!);
    const id = randomBytes(24).toString('base64url');
    const expires = this.now() + LINK_TTL_MS;
    this.links.set(id, { caller, target, expires });
    return { id, expiresAt: new Date(expires).toISOString() };
  }

  /** The caller a link stands for, if it is live and made for exactly this URL. */
  resolve(id: string, url: string): Caller | undefined {
    const link = this.links.get(id);
    if (!link || link.expires <= this.now()) return undefined;
    return link.target === withoutLinkParameter(url) ? link.caller : undefined;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, link] of this.links) if (link.expires <= now) this.links.delete(id);
  }
}
