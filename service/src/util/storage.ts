/**
 * A full data disk, as the domains report it: refused work (below the free-space floor) and writes the disk or the
 * catalog could not take. The HTTP layer answers both with 507 Insufficient Storage; messages never carry paths.
 */

/** Work refused before it started because the data disk is full or below COURSEWORK_MIN_FREE_SPACE. */
export class InsufficientStorageError extends Error {
  override name = 'InsufficientStorageError';
}

/** Whether an error is the disk (or the catalog on it) being full. */
export function isStorageFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof InsufficientStorageError || code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}

/**
 * What went wrong, in words fit for an API answer or a job's outcome: a full disk says so, and file-system errors
 * lose the server paths Node puts in their messages.
 */
export function describeFailure(error: unknown): string {
  if (error instanceof InsufficientStorageError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return "the service's data disk is full";
  if (code === 'SQLITE_FULL') return "the catalog's disk is full";
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/'\/[^']*'/g, "'…'").replace(/(^|\s)\/\S+/g, '$1…');
}

export interface FreeSpace {
  bytes: number;
  fraction: number;
}

/** The floor of free space below which new work is refused: bytes, or a share of the disk, whichever is larger. */
export interface FreeSpaceFloor {
  bytes: number;
  fraction: number;
}

/** Why the data disk is too full for new work, or null when it is not. */
export function lowSpace(free: FreeSpace, floor: FreeSpaceFloor): string | null {
  if (free.bytes >= floor.bytes && free.fraction >= floor.fraction) return null;
  return `the data disk has ${formatBytes(free.bytes)} free, below the minimum of ${describeFloor(floor)} (COURSEWORK_MIN_FREE_SPACE)`;
}

function describeFloor(floor: FreeSpaceFloor): string {
  const parts: string[] = [];
  if (floor.bytes > 0) parts.push(formatBytes(floor.bytes));
  if (floor.fraction > 0) parts.push(`${Math.round(floor.fraction * 1000) / 10}% of the disk`);
  return parts.join(' and ') || '0 bytes';
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}
