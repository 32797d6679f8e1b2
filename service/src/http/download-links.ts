/**
 * Short-lived download links: a caller who authenticates with a token header (the JupyterLab extension) asks for a
 * link to one download and hands it to the browser, which then streams the file to disk itself instead of the page
 * holding a whole zip in memory. A link is bound to one exact path (query included) and to the caller as resolved
 * when it was made; it lasts a minute, and every use goes through the policy again with that caller, so a link
 * never grants more than its maker has.
 *
 * A link is signed (HMAC-SHA256, with a key derived from the service's secret, the one its login cookies use) and
 * carries what it stands for; nothing is kept in the service, so every replica that shares the secret honours a
 * link any of them made.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type Caller, isCourseAdmin, type Operation } from '../access/policy';
import type { HubIdentity } from '../hub/client';

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

/** What a link carries: the maker's identity and access, the exact target, the expiry (ms since the epoch). */
interface LinkPayload {
  identity: HubIdentity;
  hasAccess: boolean;
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
  private readonly key: Buffer;

  constructor(
    secret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createHash('sha256').update(`coursework download links\0${secret}`).digest();
  }

  create(caller: Caller, target: string): { id: string; expiresAt: string } {
    const expires = this.now() + LINK_TTL_MS;
    const payload: LinkPayload = { identity: caller.identity, hasAccess: caller.hasAccess, target, expires };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return { id: `${body}.${this.sign(body).toString('base64url')}`, expiresAt: new Date(expires).toISOString() };
  }

  /** The caller a link stands for, if it is genuine, live and made for exactly this URL. */
  resolve(id: string, url: string): Caller | undefined {
    const dot = id.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const body = id.slice(0, dot);
    const signature = Buffer.from(id.slice(dot + 1), 'base64url');
    const expected = this.sign(body);
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) return undefined;
    const link = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkPayload;
    if (link.expires <= this.now() || link.target !== withoutLinkParameter(url)) return undefined;
    // Its roles are read again for the course of the download (see the guard).
    return { identity: link.identity, hasAccess: link.hasAccess, roles: [], courseAdmin: isCourseAdmin(link.identity) };
  }

  private sign(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest();
  }
}
