import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunMarker } from './run-marker';

describe('the run marker', () => {
  it('tells a start after a kill from one after a clean end, for each replica on its own', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coursework-marker-'));
    const a = new RunMarker(dir, 'host-a:10101');
    const b = new RunMarker(dir, 'host-b:10101');
    expect(a.begin()).toBeNull();
    expect(b.begin()).toBeNull();
    expect(readdirSync(dir).sort()).toEqual(['running-host-a_10101', 'running-host-b_10101']);
    // b ends cleanly while a is killed (never ends): a's next start knows, b's does not.
    b.end();
    const since = new RunMarker(dir, 'host-a:10101').begin();
    expect(since).toEqual(expect.any(Number));
    expect(since!).toBeLessThan(Date.now());
    expect(new RunMarker(dir, 'host-b:10101').begin()).toBeNull();
    a.end();
  });
});
