/**
 * The service's parts wired together from the config, once: what `main.ts` starts and what the in-process tests
 * run, so that both wire the same way. The Hub is passed in (the real client, or a stand-in in tests).
 */
import type { AppDeps } from './app';
import { catalogOptions, migrate, openCatalog } from './catalog/catalog';
import { Courses } from './courses/courses';
import { Exchange } from './exchange/exchange';
import { CourseSpaces } from './courses/spaces';
import { syncCourse } from './courses/store';
import type { Config } from './config';
import type { HubClient } from './hub/client';
import { GroupMembersCache } from './hub/group-cache';
import { IdentityCache, type IdentityResolver } from './hub/identity-cache';
import { Housekeeping } from './integrity/housekeeping';
import type { Logger } from './log';
import { Metrics } from './metrics';
import { Leases } from './replicas/leases';
import { createSnapshotServices } from './snapshots/services';

export interface ServiceOptions {
  config: Config;
  log: Logger;
  /** The Hub's API (OAuth code exchange); token and group lookups go to `lookups`, by default the same client. */
  hub: HubClient;
  lookups?: IdentityResolver & Pick<HubClient, 'groupMembers'>;
  cookieSecret: string;
  version: string;
  /** fsync blobs (off only in tests that measure nothing about crashes). */
  durable?: boolean;
}

export type Services = AppDeps & Pick<ReturnType<typeof createSnapshotServices>, 'taker'> & { housekeeping: Housekeeping };

/** Opens the catalog (migrated, the course's row in step with the config) and builds every part on it. */
export async function createServices(options: ServiceOptions): Promise<Services> {
  const { config, log } = options;
  const lookups = options.lookups ?? options.hub;
  const catalog = openCatalog(catalogOptions(config));
  await migrate(catalog, log);
  await syncCourse(catalog, config.course);
  const metrics = new Metrics({ freeSpace: () => blobs.freeSpace() });
  const identities = new IdentityCache(lookups, {
    ttlSeconds: config.auth.cacheTtlSeconds,
    maxEntries: config.auth.cacheMaxEntries,
    onLookup: (result) => metrics.identityLookups.inc({ result }),
  });
  const groups = new GroupMembersCache(lookups, { ttlMs: config.auth.cacheTtlSeconds * 1000 });
  const courses = new Courses(catalog, groups, { configured: config.course, groupPatterns: config.groupPatterns });
  for (const declared of config.declaredCourses) {
    const outcome = await courses.declare(declared);
    if (outcome === 'created') log.info({ course: declared.id }, 'created the course the settings declare');
    if (outcome === 'deleted') log.warn({ course: declared.id }, 'the settings declare a course that was deleted: it stays deleted');
  }
  const { blobs, taker } = createSnapshotServices(config, catalog, log, {
    durable: options.durable,
    metrics,
  });
  const leases = new Leases(catalog, config.replica.id);
  const spaces = new CourseSpaces({ config, catalog, blobs, taker, groups, courses, log, metrics, leases });
  const exchange = new Exchange(catalog, blobs, courses, spaces, {
    feedbackExtensions: config.feedback.extensions,
    feedbackMaxFileBytes: config.feedback.maxFileBytes,
  });
  const housekeeping = new Housekeeping(
    catalog,
    blobs,
    {
      courseIds: async () => (await courses.list()).map((course) => course.id),
      retentionDays: config.snapshots.retentionDays,
      intervalMs: config.snapshots.housekeepingIntervalMs,
      checkBytesPerRun: config.storage.checkBytesPerRun,
      homeTemplate: config.homeTemplate,
      leases,
    },
    log,
  );
  return {
    config,
    log,
    hub: options.hub,
    identities,
    courses,
    spaces,
    exchange,
    catalog,
    blobs,
    taker,
    housekeeping,
    cookieSecret: options.cookieSecret,
    version: options.version,
    metrics,
  };
}
