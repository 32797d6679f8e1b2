/**
 * The seams of the service's code, read from its sources as text the way a reviewer would look for them. One owner
 * per table: every query of a table lives in one module, so that a change of a table (a course column, another
 * database) touches one place. Domains know nothing of HTTP: only the HTTP layer and the app that mounts it
 * import from http/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = __dirname;

/** Each table of the catalog, and the one module (relative to service/src) that queries it. */
const OWNERS: Record<string, string> = {
  courses: 'courses/store.ts',
  course_members: 'courses/members.ts',
  audit_events: 'audit/audit.ts',
  snapshots: 'snapshots/queries.ts',
  home_index: 'snapshots/queries.ts',
  jobs: 'snapshots/jobs.ts',
  feedback_files: 'feedback/store.ts',
  assignments: 'assignments/store.ts',
  extensions: 'assignments/store.ts',
  captures: 'assignments/scheduler.ts',
  exchange_releases: 'exchange/releases.ts',
  exchange_submissions: 'exchange/submissions.ts',
  exchange_profiles: 'exchange/profiles.ts',
  leases: 'replicas/leases.ts',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'migrations' ? [] : sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

it('names an owner for every table of the schema', () => {
  const schema = readFileSync(path.join(SRC, 'catalog', 'schema.ts'), 'utf8');
  const block = /export interface CatalogSchema \{([^}]*)\}/.exec(schema)![1]!;
  const tables = [...block.matchAll(/^\s*(\w+): \w+;/gm)].map((m) => m[1]);
  expect(tables.sort()).toEqual(Object.keys(OWNERS).sort());
});

it('queries each table from its owner only', () => {
  const strays: string[] = [];
  const seen = new Set<string>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/\b(?:selectFrom|insertInto|updateTable|deleteFrom|mergeInto|replaceInto)\(\s*['"](\w+)['"]/g)) {
      seen.add(match[1]!);
      const owner = OWNERS[match[1]!];
      const relative = path.relative(SRC, file);
      if (owner !== relative) strays.push(`${relative} queries ${match[1]} (owner: ${owner ?? 'none'})`);
    }
  }
  expect(strays).toEqual([]);
  // The scan found the owners' own queries: it reads what it is meant to.
  expect([...seen].sort()).toEqual(Object.keys(OWNERS).sort());
});

it('keeps the domains free of HTTP: only http/ itself and the app import from it', () => {
  const importers = sources(SRC)
    .filter((file) => !path.relative(SRC, file).startsWith(`http${path.sep}`))
    .filter((file) => /from '(?:\.\.?\/)+(?:\w+\/)*http\//.test(readFileSync(file, 'utf8')))
    .map((file) => path.relative(SRC, file));
  expect(importers).toEqual(['app.ts']);
});
