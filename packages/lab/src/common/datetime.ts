/**
 * Times typed into `<input type="datetime-local">` (a wall-clock time without a zone) as the ISO 8601 strings the
 * service wants: with the browser's own zone offset, so that "17:00" means 17:00 where the user is.
 */

/** Offset of the browser's zone from UTC at a given moment, in minutes east of UTC (e.g. +60 for CET in winter). */
export type ZoneOffset = (localTime: Date) => number;

const browserOffset: ZoneOffset = (date) => -date.getTimezoneOffset();

const LOCAL_INPUT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `2026-12-01T17:00` → `2026-12-01T17:00:00+01:00` (in a zone one hour east of UTC). An empty value gives
 * `undefined` (the field is optional); anything else that is not such a time throws.
 */
export function localInputToIso(value: string, offsetOf: ZoneOffset = browserOffset): string | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  const match = LOCAL_INPUT.exec(text);
  if (!match) throw new Error(`Not a date and time: ${value}`);
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  // The offset is the one in force on that date (summer time), not today's.
  const local = new Date(year, month - 1, day, hour, minute, second);
  if (Number.isNaN(local.getTime()) || local.getMonth() !== month - 1 || local.getDate() !== day)
    throw new Error(`Not a date and time: ${value}`);
  const offset = offsetOf(local);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The value a datetime-local input shows for `date` in the browser's zone (minutes precision). */
export function dateToLocalInput(date: Date): string {
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A time for people, in the browser's zone, e.g. `23 Nov 2026, 14:05`. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A length of time as people say it: "40 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function spokenDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}
