/**
 * Queries on a hot path, built and compiled once and then run with new parameter values.
 *
 * Kysely builds an operation tree and compiles it to SQL on every run; for the small statements a whole-course
 * snapshot makes per student, that costs more than the database takes to run them. A prepared query compiles
 * once (with marker values standing for its parameters) and afterwards only swaps the values in, so it stays
 * in the catalog's dialect, whichever that is. The compiled SQL is kept from the first catalog it runs on: a
 * process serves one catalog.
 */
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { CatalogSchema } from './schema';

const MARK = '\u0000prepared-parameter:';

type Slot = { name: string } | { value: unknown };

export type PreparedQuery<P, R> = (db: Kysely<CatalogSchema>, params: P) => Promise<QueryResult<R>>;

/** `build` receives stand-ins for the parameters; each may appear in the query any number of times. */
export function prepareQuery<P extends Record<string, unknown>, R = unknown>(
  build: (db: Kysely<CatalogSchema>, params: P) => Compilable<R>,
): PreparedQuery<P, R> {
  let compiled: { query: CompiledQuery<R>; slots: Slot[] } | undefined;
  return (db, params) => {
    if (!compiled) {
      const standIns = new Proxy({}, { get: (_target, name) => `${MARK}${String(name)}` }) as P;
      const query = build(db, standIns).compile();
      const slots = query.parameters.map((value): Slot =>
        typeof value === 'string' && value.startsWith(MARK) ? { name: value.slice(MARK.length) } : { value },
      );
      compiled = { query, slots };
    }
    const parameters = compiled.slots.map((slot) => ('name' in slot ? params[slot.name] : slot.value));
    return db.executeQuery({ ...compiled.query, parameters });
  };
}
