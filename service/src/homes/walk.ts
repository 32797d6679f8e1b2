/**
 * A safe walk of a student's home: what a snapshot may take, and a report of what it left out and why.
 *
 * Student homes are hostile territory. The walk never follows a symlink (it records the link, not its target),
 * never opens FIFOs, sockets or devices, stays on the home's filesystem, leaves out hidden entries unless asked,
 * honours exclude patterns and the per-file and per-home size caps, and treats entries that vanish mid-walk as
 * skipped, not as errors.
 */
import { type BigIntStats, type Dirent, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface WalkedFile {
  /** Path relative to the home, with `/` separators. */
  path: string;
  type: 'file';
  size: number;
  mode: number;
  /** Modification time in nanoseconds since the epoch, as a decimal string (JSON-safe). */
  mtimeNs: string;
  ino: string;
  ctimeNs: string;
  dev: string;
}

export interface WalkedSymlink {
  path: string;
  type: 'symlink';
  mode: number;
  mtimeNs: string;
}

export type WalkedEntry = WalkedFile | WalkedSymlink;

export type SkipReason =
  | 'hidden'
  | 'excluded'
  | 'fifo'
  | 'socket'
  | 'device'
  | 'other-filesystem'
  | 'over-file-cap'
  | 'over-home-cap'
  | 'vanished'
  | 'unreadable'
  | 'unusable-name';

export interface Skipped {
  path: string;
  reason: SkipReason;
}

export interface WalkOptions {
  includeHidden: boolean;
  /** Glob patterns on the relative path (`*` within a name, `**` across folders, `?` one character). */
  exclude: readonly string[];
  maxFileBytes: number;
  maxHomeBytes: number;
}

export interface WalkResult {
  entries: WalkedEntry[];
  skipped: Skipped[];
  /** Sum of the sizes of the files taken. */
  bytes: number;
}

/** Turns an exclude pattern into a regular expression on relative paths. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  const trimmed = pattern.replace(/^\/+/, '').replace(/\/+$/, '/**');
  for (let i = 0; i < trimmed.length; i++) {
    const c = trimmed[i]!;
    if (c === '*' && trimmed[i + 1] === '*') {
      const slash = trimmed[i + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern without a slash matches a name at any depth, as in .gitignore.
  const anyDepth = !trimmed.includes('/');
  return new RegExp(`^${anyDepth ? '(?:.*/)?' : ''}${source}(?:/.*)?$`, 's');
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Names that cannot be served back safely (and are never produced by notebooks). */
function unusableName(name: string): boolean {
  return name.includes('\\') || CONTROL.test(name) || Buffer.byteLength(name) > 255;
}

const ns = (stats: BigIntStats, field: 'mtimeNs' | 'ctimeNs') => stats[field].toString();

/**
 * The walk of a home; 'no-home' when it does not exist or is not a real directory (a symlink to one is not). `pace`
 * runs before each folder is read: on the service's thread it lets other work in (see InThreadScanner).
 */
export async function walkHome(home: string, options: WalkOptions, pace?: () => Promise<void>): Promise<WalkResult | 'no-home'> {
  const excludes = options.exclude.map(globToRegExp);
  const result: WalkResult = { entries: [], skipped: [], bytes: 0 };
  let rootStats: BigIntStats;
  try {
    rootStats = lstatSync(home, { bigint: true });
  } catch {
    return 'no-home';
  }
  if (!rootStats.isDirectory()) return 'no-home';
  const rootDev = rootStats.dev;

  const visit = async (dir: string, relativeDir: string): Promise<void> => {
    // Metadata calls are synchronous (a few microseconds each from the inode cache, where a thread-pool round
    // trip costs far more); the caller's pace decides when others get a turn.
    await pace?.();
    let children: Dirent[];
    try {
      children = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (relativeDir)
        result.skipped.push({ path: relativeDir, reason: code === 'ENOENT' || code === 'ENOTDIR' ? 'vanished' : 'unreadable' });
      return;
    }
    children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const statted = children.map((child) => {
      const relative = relativeDir ? `${relativeDir}/${child.name}` : child.name;
      if (unusableName(child.name)) return { relative, skip: 'unusable-name' as const };
      if (!options.includeHidden && child.name.startsWith('.')) return { relative, skip: 'hidden' as const };
      if (excludes.some((re) => re.test(relative))) return { relative, skip: 'excluded' as const };
      try {
        return { relative, stats: lstatSync(path.join(dir, child.name), { bigint: true }) };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return { relative, skip: code === 'ENOENT' ? ('vanished' as const) : ('unreadable' as const) };
      }
    });
    for (const item of statted) {
      if ('skip' in item && item.skip) {
        result.skipped.push({ path: item.relative, reason: item.skip });
        continue;
      }
      const stats = item.stats!;
      const relative = item.relative;
      if (stats.isSymbolicLink()) {
        result.entries.push({ path: relative, type: 'symlink', mode: Number(stats.mode & 0o7777n), mtimeNs: ns(stats, 'mtimeNs') });
      } else if (stats.isDirectory()) {
        if (stats.dev !== rootDev) result.skipped.push({ path: relative, reason: 'other-filesystem' });
        else await visit(path.join(dir, path.basename(relative)), relative);
      } else if (stats.isFile()) {
        const size = Number(stats.size);
        if (size > options.maxFileBytes) {
          result.skipped.push({ path: relative, reason: 'over-file-cap' });
        } else if (result.bytes + size > options.maxHomeBytes) {
          result.skipped.push({ path: relative, reason: 'over-home-cap' });
        } else {
          result.bytes += size;
          result.entries.push({
            path: relative,
            type: 'file',
            size,
            mode: Number(stats.mode & 0o7777n),
            mtimeNs: ns(stats, 'mtimeNs'),
            ino: stats.ino.toString(),
            ctimeNs: ns(stats, 'ctimeNs'),
            dev: stats.dev.toString(),
          });
        }
      } else {
        const reason: SkipReason = stats.isFIFO() ? 'fifo' : stats.isSocket() ? 'socket' : 'device';
        result.skipped.push({ path: relative, reason });
      }
    }
  };

  await visit(home, '');
  return result;
}
