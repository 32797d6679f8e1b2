import { dateToLocalInput, localInputToIso } from './datetime';

describe('localInputToIso', () => {
  it('adds the zone offset in force on that date', () => {
    // A zone with summer time: +01:00 in winter, +02:00 in summer.
    const cet = (date: Date) => (date.getMonth() >= 3 && date.getMonth() <= 9 ? 120 : 60);
    expect(localInputToIso('2026-12-01T17:00', cet)).toBe('2026-12-01T17:00:00+01:00');
    expect(localInputToIso('2026-07-01T09:30', cet)).toBe('2026-07-01T09:30:00+02:00');
  });

  it('writes zones west of UTC and half-hour offsets', () => {
    expect(localInputToIso('2026-12-01T17:00', () => -480)).toBe('2026-12-01T17:00:00-08:00');
    expect(localInputToIso('2026-12-01T17:00:45', () => 330)).toBe('2026-12-01T17:00:45+05:30');
    expect(localInputToIso('2026-12-01T17:00', () => 0)).toBe('2026-12-01T17:00:00+00:00');
  });

  it('names the same moment as the browser does', () => {
    const iso = localInputToIso('2026-03-15T08:45')!;
    expect(new Date(iso).getTime()).toBe(new Date(2026, 2, 15, 8, 45).getTime());
    expect(dateToLocalInput(new Date(iso))).toBe('2026-03-15T08:45');
  });

  it('gives undefined for an empty field and refuses what is not a date and time', () => {
    expect(localInputToIso('')).toBeUndefined();
    expect(localInputToIso('   ')).toBeUndefined();
    expect(() => localInputToIso('tomorrow')).toThrow('Not a date and time: tomorrow');
    expect(() => localInputToIso('2026-02-30T10:00')).toThrow(/Not a date/);
    expect(() => localInputToIso('2026-12-01')).toThrow(/Not a date/);
  });
});
