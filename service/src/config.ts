/**
 * The service's one configuration object.
 *
 * Two sources feed it: the managed-service environment JupyterHub passes (`JUPYTERHUB_*`) and Coursework's own
 * settings (`COURSEWORK_*`, from the environment or from a JSON file named by `COURSEWORK_CONFIG_FILE` whose keys
 * are the same names; the environment wins). Every setting is declared once in SETTINGS below, which drives
 * parsing, defaults, error messages and the README's reference table.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { FreeSpaceFloor } from './util/storage';
import { COURSE_ID } from './names';

/** Scan threads by default: one a core, at most 4. */
export const DEFAULT_READ_WORKERS = Math.min(availableParallelism(), 4);

export interface Course {
  /** Stable id that keys the course's rows in the catalog. */
  id: string;
  title: string;
  instructorsGroup: string;
  gradersGroup: string;
  studentsGroup: string;
}

/** The Hub groups of a course created through the API, unless it names its own: `{course}` is its id. */
export interface GroupPatterns {
  instructors: string;
  graders: string;
  students: string;
}

export interface Config {
  hub: {
    apiUrl: string;
    apiToken: string;
    serviceName: string;
    /** Public path prefix of the service, with leading and trailing slash: `/services/coursework/`. */
    servicePrefix: string;
    listen: { host: string; port: number };
    clientId: string;
    oauthCallbackUrl: string;
    /** JupyterHub's base URL (`/` by default); the Hub's pages live under `<baseUrl>hub/`. */
    baseUrl: string;
    /** A caller needs any one of these scopes to use the service at all. */
    accessScopes: string[];
  };
  dataDir: string;
  /** The catalog: PostgreSQL when `url` is set, else SQLite in `dataDir`. */
  database: { url: string | undefined; poolSize: number; sqliteCacheMb: number };
  /** This replica's name in leases, and how long a lease holds unless renewed. */
  replica: { id: string; leaseMs: number };
  homeTemplate: string;
  /** The course the settings name: the default course of the unscoped and seed-compatible routes. */
  course: Course;
  groupPatterns: GroupPatterns;
  declaredCourses: DeclaredCourse[];
  allowStudentSnapshots: boolean;
  /** Static key accepted in `X-Api-Key` by the seed-compatible endpoints (besides Hub tokens); none when unset. */
  compatApiKey: string | undefined;
  snapshots: {
    /** Students snapshotted at once by a job. */
    concurrency: number;
    /** Worker threads that read and hash files; 0 reads on the service's own thread. */
    readWorkers: number;
    /** File entries of parsed manifests kept for the next read of the same snapshot (0: none kept). */
    manifestCacheEntries: number;
    exclude: string[];
    /** IANA zone of the course: the date suffix of snapshot names is its local date. */
    timeZone: string;
    /** Snapshots older than this many days are deleted; 0 keeps them. */
    retentionDays: number;
    /** How often retention and blob collection run. */
    housekeepingIntervalMs: number;
  };
  auth: {
    cacheTtlSeconds: number;
    cacheMaxEntries: number;
    hubTimeoutMs: number;
    cookieSecret: string | undefined;
  };
  limits: {
    maxFileBytes: number;
    maxHomeBytes: number;
    maxUploadBytes: number;
  };
  storage: {
    /** Snapshots, uploads and releases stop taking new bytes below this much free space on the data disk. */
    minFreeSpace: FreeSpaceFloor;
    /** Bytes of blobs whose hashes housekeeping verifies per run (a rolling slice of the store). */
    checkBytesPerRun: number;
    /** Blobs each scanning thread remembers as just written or found. */
    recentBlobs: number;
  };
  /** Expensive work one caller may have under way at once. */
  perCaller: { courseZips: number; jobs: number };
  feedback: {
    maxFileBytes: number;
    /** Most bytes one release (one student, one request) may carry. */
    maxReleaseBytes: number;
    /** Lower-case extensions with the dot, e.g. `.html`. */
    extensions: string[];
    /** Whether released feedback is also written into the student's home by default. */
    deliverToHome: boolean;
    /** Folder, relative to the home, that delivered feedback goes into: `<dir>/<assignment>/...`. */
    homeDir: string;
    bulk: { maxEntries: number; maxRatio: number; maxTotalBytes: number };
  };
  /** nbgrader's exchange (the ngshare API). */
  exchange: { maxBodyBytes: number; maxFiles: number };
  pagination: { defaultLimit: number; maxLimit: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const SIZE_UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Parses `1048576`, `512K`, `100M`, `2G` (binary units, optional trailing `B`/`iB`). */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!match) return undefined;
  const bytes = Number(match[1]) * SIZE_UNITS[match[2]!.toUpperCase()]!;
  return Number.isSafeInteger(Math.round(bytes)) ? Math.round(bytes) : undefined;
}

const size = z.string().transform((text, ctx) => {
  const bytes = parseSize(text);
  if (bytes === undefined || bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: `expected a positive size such as 1048576, 512K, 100M or 2G` });
    return z.NEVER;
  }
  return bytes;
});
/** `1G` (a size) or `5%` (a share of the disk). */
const freeSpaceFloor = z.string().transform((text, ctx): FreeSpaceFloor => {
  const percent = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (percent && Number(percent[1]) < 100) return { bytes: 0, fraction: Number(percent[1]) / 100 };
  const bytes = text.trim() === '0' ? 0 : parseSize(text);
  if (bytes === undefined || percent) {
    ctx.addIssue({ code: 'custom', message: 'expected a size such as 1G or 500M, or a share of the disk such as 5%' });
    return z.NEVER;
  }
  return { bytes, fraction: 0 };
});
const positiveInt = z.coerce.number().int().positive();
const boolean = z.string().transform((text, ctx) => {
  const value = text.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(value)) return false;
  ctx.addIssue({ code: 'custom', message: 'expected true or false' });
  return z.NEVER;
});
const groupName = z.string().min(1).max(255);
const groupPattern = groupName.refine((p) => p.includes('{course}'), 'expected a pattern containing {course}');
const absolutePath = z.string().refine((p) => path.isAbsolute(p), 'expected an absolute path');
const jsonStringList = z.string().transform((text, ctx) => {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return value as string[];
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'expected a JSON list of strings' });
  return z.NEVER;
});

/** Courses the settings declare besides the default one (`COURSEWORK_COURSES`): created at start-up when missing. */
export interface DeclaredCourse {
  id: string;
  title: string;
  timeZone?: string;
  groups?: Partial<GroupPatterns>;
}

const declaredCourses = z.string().transform((text, ctx) => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected JSON' });
    return z.NEVER;
  }
  const course = z
    .object({
      id: z.string().regex(COURSE_ID, 'a course id is lower-case letters, digits, - or _ (at most 63)'),
      title: z.string().min(1).max(200),
      timeZone: z.string().refine(isTimeZone, 'expected an IANA time zone').optional(),
      groups: z.object({ instructors: groupName, graders: groupName, students: groupName }).partial().strict().optional(),
    })
    .strict();
  const parsed = z.array(course).safeParse(value);
  if (!parsed.success) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a JSON list of {id, title, timeZone?, groups?}: ${parsed.error.issues[0]?.message}`,
    });
    return z.NEVER;
  }
  return parsed.data as DeclaredCourse[];
});

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

interface Setting {
  /** Environment variable (and config-file key). */
  name: string;
  description: string;
  /** Default as text, parsed like a given value; undefined = required. */
  default?: string;
  /** Set by JupyterHub when it starts the service; not for admins to set. */
  fromHub?: boolean;
  /** Never echoed in error messages or logs. */
  secret?: boolean;
  schema: z.ZodType;
}

/** Every setting the service reads, in the order the README documents them. */
export const SETTINGS = {
  apiUrl: { name: 'JUPYTERHUB_API_URL', fromHub: true, description: "URL of the Hub's REST API.", schema: z.url() },
  apiToken: {
    name: 'JUPYTERHUB_API_TOKEN',
    fromHub: true,
    secret: true,
    description: "The service's own Hub token.",
    schema: z.string().min(8),
  },
  serviceName: {
    name: 'JUPYTERHUB_SERVICE_NAME',
    fromHub: true,
    default: 'coursework',
    description: 'Name of the service in the Hub.',
    schema: z.string().min(1),
  },
  servicePrefix: {
    name: 'JUPYTERHUB_SERVICE_PREFIX',
    fromHub: true,
    description: 'Path prefix the proxy routes to the service.',
    schema: z.string().regex(/^\/(?:[^/?#\s]+\/)*$/, 'expected a path that starts and ends with /'),
  },
  serviceUrl: { name: 'JUPYTERHUB_SERVICE_URL', fromHub: true, description: 'Address the service listens on.', schema: z.url() },
  clientId: {
    name: 'JUPYTERHUB_CLIENT_ID',
    fromHub: true,
    default: 'service-coursework',
    description: 'OAuth client id of the service.',
    schema: z.string().min(1),
  },
  oauthCallbackUrl: {
    name: 'JUPYTERHUB_OAUTH_CALLBACK_URL',
    fromHub: true,
    description: 'OAuth redirect URI registered with the Hub.',
    schema: z.string().startsWith('/'),
  },
  baseUrl: {
    name: 'JUPYTERHUB_BASE_URL',
    fromHub: true,
    default: '/',
    description: "JupyterHub's base URL.",
    schema: z.string().startsWith('/').endsWith('/'),
  },
  accessScopes: {
    name: 'JUPYTERHUB_OAUTH_ACCESS_SCOPES',
    fromHub: true,
    default: '',
    description: 'Scopes that grant access to the service (any one suffices).',
    schema: z.string(),
  },
  configFile: {
    name: 'COURSEWORK_CONFIG_FILE',
    default: '',
    description: 'Optional JSON file of these settings (keys as named here); the environment wins.',
    schema: z.string(),
  },
  dataDir: {
    name: 'COURSEWORK_DATA_DIR',
    default: 'coursework-data',
    description: 'Where the catalog, blobs and cookie secret live (relative paths are resolved against the working directory).',
    schema: z.string().min(1),
  },
  databaseUrl: {
    name: 'COURSEWORK_DATABASE_URL',
    default: '',
    description:
      'PostgreSQL catalog shared by several replicas (`postgres://user:password@host:5432/db`); empty: an embedded SQLite file in the data directory.',
    secret: true,
    schema: z
      .string()
      .refine((s) => s === '' || /^postgres(ql)?:\/\/[^\s]+$/.test(s), 'expected postgres://user:password@host:port/database'),
  },
  databasePoolSize: {
    name: 'COURSEWORK_DATABASE_POOL_SIZE',
    default: '10',
    description: 'Connections each replica keeps to PostgreSQL.',
    schema: z.coerce.number().int().min(1).max(200),
  },
  catalogCacheMb: {
    name: 'COURSEWORK_CATALOG_CACHE_MB',
    default: '2',
    description: "Pages of the SQLite catalog kept in the service's memory, in MB (SQLite's own default; the disk cache holds the rest).",
    schema: z.coerce.number().int().min(1).max(1024),
  },
  replicaId: {
    name: 'COURSEWORK_REPLICA_ID',
    default: '',
    description:
      "This replica's name in the claims replicas make on shared work (jobs, deliveries); empty: the host name and port, which a restarted replica keeps, so it takes its own unfinished jobs back at once.",
    schema: z.string().max(200),
  },
  leaseSeconds: {
    name: 'COURSEWORK_LEASE_SECONDS',
    default: '30',
    description: "How long a replica's claim on a job holds unless renewed: another replica takes over a dead one's jobs after this.",
    schema: z.coerce.number().int().min(1).max(3600),
  },
  homeTemplate: {
    name: 'COURSEWORK_HOME_TEMPLATE',
    default: '/home/{username}',
    description: "Absolute path of a user's home; `{username}` is replaced by the Hub user name.",
    schema: absolutePath.refine((t) => t.includes('{username}'), 'expected a template containing {username}'),
  },
  courseId: {
    name: 'COURSEWORK_COURSE_ID',
    default: 'default',
    description: 'Id of the course (letters, digits, `-`, `_`).',
    schema: z.string().regex(COURSE_ID, 'expected lower-case letters, digits, - or _ (at most 63)'),
  },
  courseTitle: {
    name: 'COURSEWORK_COURSE_TITLE',
    default: 'Course',
    description: 'Title shown in the UI.',
    schema: z.string().min(1).max(200),
  },
  instructorsGroup: {
    name: 'COURSEWORK_INSTRUCTORS_GROUP',
    default: 'instructors',
    description: "Hub group of the course's instructors.",
    schema: groupName,
  },
  gradersGroup: {
    name: 'COURSEWORK_GRADERS_GROUP',
    default: 'graders',
    description: "Hub group of the course's graders (teaching assistants).",
    schema: groupName,
  },
  studentsGroup: {
    name: 'COURSEWORK_STUDENTS_GROUP',
    default: 'students',
    description: "Hub group of the course's students.",
    schema: groupName,
  },
  courses: {
    name: 'COURSEWORK_COURSES',
    default: '[]',
    description:
      'JSON list of more courses, `[{"id": "ml-200", "title": "Machine Learning", "timeZone"?: ..., "groups"?: {...}}]`: created at start-up when missing (then managed through the API).',
    schema: declaredCourses,
  },
  instructorsGroupPattern: {
    name: 'COURSEWORK_INSTRUCTORS_GROUP_PATTERN',
    default: '{course}-instructors',
    description: 'Hub group of the instructors of a course created through the API (unless it names one); `{course}` is its id.',
    schema: groupPattern,
  },
  gradersGroupPattern: {
    name: 'COURSEWORK_GRADERS_GROUP_PATTERN',
    default: '{course}-graders',
    description: 'Hub group of the graders of a course created through the API (unless it names one).',
    schema: groupPattern,
  },
  studentsGroupPattern: {
    name: 'COURSEWORK_STUDENTS_GROUP_PATTERN',
    default: '{course}-students',
    description: 'Hub group of the students of a course created through the API (unless it names one).',
    schema: groupPattern,
  },
  allowStudentSnapshots: {
    name: 'COURSEWORK_ALLOW_STUDENT_SNAPSHOTS',
    default: 'false',
    description: 'Whether students may list and download their own snapshots.',
    schema: boolean,
  },
  compatApiKey: {
    name: 'COURSEWORK_COMPAT_API_KEY',
    default: '',
    secret: true,
    description:
      'Optional static key for `X-Api-Key` on the seed-compatible endpoints (16 characters or more advised; a shorter one is logged as a warning); Hub tokens with instructor rights work there without it.',
    schema: z.string().refine((s) => s === '' || s.length >= 5, 'expected at least 5 characters'),
  },
  snapshotConcurrency: {
    name: 'COURSEWORK_SNAPSHOT_CONCURRENCY',
    default: '8',
    description:
      'Homes scanned at once, across all snapshot jobs (a few per read worker, so that one waiting for its fsyncs leaves the worker others to scan).',
    schema: positiveInt,
  },
  readWorkers: {
    name: 'COURSEWORK_READ_WORKERS',
    default: String(DEFAULT_READ_WORKERS),
    description:
      "Worker threads that walk students' homes and read and hash their files (default: the cores, at most 4); 0 does it on the service's own thread.",
    schema: z.coerce.number().int().min(0).max(64),
  },
  manifestCacheEntries: {
    name: 'COURSEWORK_MANIFEST_CACHE_FILES',
    default: '50000',
    description:
      "File entries of snapshots' manifests kept parsed for the next read of the same snapshot (its files' pages, one file, a zip); 0 keeps none.",
    schema: z.coerce.number().int().min(0),
  },
  recentBlobs: {
    name: 'COURSEWORK_RECENT_BLOBS',
    default: '10000',
    description:
      'Stored files each scanning thread remembers having just written or found (some 130 bytes each), so that a file in every home (a dataset, a template) is looked up on disk once per this many new files, not once per home.',
    schema: z.coerce.number().int().min(0),
  },
  exclude: {
    name: 'COURSEWORK_EXCLUDE',
    default: '[]',
    description: 'JSON list of glob patterns (relative to the home) never taken into snapshots, e.g. `["*.tmp", "node_modules"]`.',
    schema: jsonStringList,
  },
  timeZone: {
    name: 'COURSEWORK_TIMEZONE',
    default: Intl.DateTimeFormat().resolvedOptions().timeZone,
    description: "IANA time zone of the course (default: the server's); snapshot names carry its local date.",
    schema: z.string().refine(isTimeZone, 'expected an IANA time zone such as America/Vancouver'),
  },
  retentionDays: {
    name: 'COURSEWORK_SNAPSHOT_RETENTION_DAYS',
    default: '0',
    description: 'Snapshots older than this many days are deleted (0: kept for ever); unreferenced bytes are then collected.',
    schema: z.coerce.number().int().min(0),
  },
  housekeepingMinutes: {
    name: 'COURSEWORK_HOUSEKEEPING_MINUTES',
    default: '60',
    description: 'Minutes between runs of retention and of the collection of unreferenced blobs.',
    schema: positiveInt,
  },
  cacheTtlSeconds: {
    name: 'COURSEWORK_AUTH_CACHE_TTL',
    default: '60',
    description:
      "Seconds a resolved token is trusted before the Hub is asked again (a revoked token is refused after at most this long); also how long a Hub group's members are kept.",
    schema: positiveInt,
  },
  cacheMaxEntries: {
    name: 'COURSEWORK_AUTH_CACHE_SIZE',
    default: '10000',
    description: 'Most tokens kept in the identity cache.',
    schema: positiveInt,
  },
  hubTimeoutMs: {
    name: 'COURSEWORK_HUB_TIMEOUT_MS',
    default: '5000',
    description: 'Time limit of one request to the Hub, in milliseconds.',
    schema: positiveInt,
  },
  cookieSecret: {
    name: 'COURSEWORK_COOKIE_SECRET',
    default: '',
    secret: true,
    description:
      'Secret that signs the login cookie and download links (at least 32 characters); generated into the data dir when empty, so replicas that share the data dir share it.',
    schema: z.string().refine((s) => s === '' || s.length >= 32, 'expected at least 32 characters'),
  },
  maxFileBytes: {
    name: 'COURSEWORK_MAX_FILE_SIZE',
    default: '100M',
    description: 'Largest single file taken into a snapshot.',
    schema: size,
  },
  maxHomeBytes: {
    name: 'COURSEWORK_MAX_HOME_SIZE',
    default: '2G',
    description: 'Most bytes taken from one home per snapshot.',
    schema: size,
  },
  maxUploadBytes: {
    name: 'COURSEWORK_MAX_UPLOAD_SIZE',
    default: '50M',
    description: 'Largest request body accepted (feedback uploads).',
    schema: size,
  },
  minFreeSpace: {
    name: 'COURSEWORK_MIN_FREE_SPACE',
    default: '1G',
    description:
      'Free space the data disk keeps: below it, snapshots stop taking homes (the students left say why) and uploads, releases and snapshot requests answer 507. A size (`1G`) or a share of the disk (`5%`); `0` turns it off.',
    schema: freeSpaceFloor,
  },
  maxCourseZipsPerCaller: {
    name: 'COURSEWORK_MAX_COURSE_ZIPS_PER_CALLER',
    default: '2',
    description: 'Course zips one caller may download at once; more answer 429 with Retry-After.',
    schema: positiveInt,
  },
  maxJobsPerCaller: {
    name: 'COURSEWORK_MAX_JOBS_PER_CALLER',
    default: '2',
    description:
      'Snapshot jobs one caller may have running at once (an identical request joins its job); more answer 429 with Retry-After.',
    schema: positiveInt,
  },
  checkBytesPerRun: {
    name: 'COURSEWORK_CHECK_BYTES_PER_RUN',
    default: '1G',
    description:
      "Bytes of stored blobs whose SHA-256 each housekeeping run verifies, a rolling slice of the store (every run checks every blob's length).",
    schema: size,
  },
  feedbackMaxFileBytes: {
    name: 'COURSEWORK_FEEDBACK_MAX_FILE_SIZE',
    default: '20M',
    description: 'Largest single feedback file.',
    schema: size,
  },
  feedbackMaxReleaseBytes: {
    name: 'COURSEWORK_FEEDBACK_MAX_RELEASE_SIZE',
    default: '100M',
    description: 'Most bytes of feedback released to one student by one request.',
    schema: size,
  },
  feedbackExtensions: {
    name: 'COURSEWORK_FEEDBACK_EXTENSIONS',
    default: JSON.stringify([
      '.ipynb',
      '.html',
      '.htm',
      '.txt',
      '.md',
      '.pdf',
      '.png',
      '.jpg',
      '.jpeg',
      '.gif',
      '.svg',
      '.csv',
      '.json',
      '.py',
      '.r',
    ]),
    description: 'JSON list of the file extensions feedback may have (case-insensitive).',
    schema: jsonStringList.refine(
      (list) => list.length > 0 && list.every((e) => /^\.[A-Za-z0-9_+-]{1,16}$/.test(e)),
      'expected extensions such as ".html"',
    ),
  },
  feedbackDelivery: {
    name: 'COURSEWORK_FEEDBACK_DELIVERY',
    default: 'api',
    description:
      '`api`: students fetch feedback through the service (the Feedback section); `home`: it is also written into their homes by default (a release can ask either way).',
    schema: z.enum(['api', 'home']),
  },
  feedbackHomeDir: {
    name: 'COURSEWORK_FEEDBACK_HOME_DIR',
    default: 'feedback',
    description: 'Folder of the home that delivered feedback goes into, as `<folder>/<assignment>/<file>`.',
    schema: z
      .string()
      .regex(
        /^[A-Za-z0-9_-][A-Za-z0-9 ._-]{0,99}(?:\/[A-Za-z0-9_-][A-Za-z0-9 ._-]{0,99})*$/,
        'expected a relative folder such as feedback',
      ),
  },
  bulkMaxEntries: {
    name: 'COURSEWORK_BULK_MAX_ENTRIES',
    default: '20000',
    description: 'Most entries a bulk feedback zip may hold.',
    schema: positiveInt,
  },
  bulkMaxRatio: {
    name: 'COURSEWORK_BULK_MAX_RATIO',
    default: '100',
    description: 'Largest compression ratio of an entry of a bulk feedback zip (zip bombs exceed it).',
    schema: positiveInt,
  },
  bulkMaxTotalBytes: {
    name: 'COURSEWORK_BULK_MAX_TOTAL_SIZE',
    default: '1G',
    description: 'Most bytes a bulk feedback zip may unpack to.',
    schema: size,
  },
  exchangeMaxBodyBytes: {
    name: 'COURSEWORK_EXCHANGE_MAX_BODY_SIZE',
    default: '100M',
    description:
      "Largest request nbgrader's exchange takes: one release, submission or feedback upload, base64 included (a third larger than its files).",
    schema: size,
  },
  exchangeMaxFiles: {
    name: 'COURSEWORK_EXCHANGE_MAX_FILES',
    default: '10000',
    description: "Most files in one upload to nbgrader's exchange.",
    schema: positiveInt,
  },
  pageDefaultLimit: {
    name: 'COURSEWORK_PAGE_DEFAULT_LIMIT',
    default: '50',
    description: 'Items per page when a request gives no `limit`.',
    schema: positiveInt,
  },
  pageMaxLimit: {
    name: 'COURSEWORK_PAGE_MAX_LIMIT',
    default: '200',
    description: 'Largest `limit` a request may ask for.',
    schema: positiveInt,
  },
  logLevel: {
    name: 'COURSEWORK_LOG_LEVEL',
    default: 'info',
    description: 'One of fatal, error, warn, info, debug, trace.',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']),
  },
} satisfies Record<string, Setting>;

type SettingKey = keyof typeof SETTINGS;
type Parsed = { [K in SettingKey]: z.output<(typeof SETTINGS)[K]['schema']> };

/** Names that look like settings but belong to the demo and test tooling, not to the service. */
const FOREIGN_PREFIXES = ['COURSEWORK_DEMO_', 'COURSEWORK_TEST_', 'COURSEWORK_SERVICE_'];

function readConfigFile(file: string): Record<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`COURSEWORK_CONFIG_FILE: cannot read ${file} as JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`COURSEWORK_CONFIG_FILE: ${file} must hold a JSON object of settings`);
  }
  const known = new Set(Object.values(SETTINGS).map((s) => s.name));
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!known.has(key)) throw new ConfigError(`COURSEWORK_CONFIG_FILE: unknown setting ${key} in ${file}`);
    values[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return values;
}

/** COURSEWORK_* variables that name no setting: most likely typos, worth a warning. */
export function unknownSettings(env: NodeJS.ProcessEnv): string[] {
  const known = new Set(Object.values(SETTINGS).map((s) => s.name));
  return Object.keys(env).filter(
    (name) => name.startsWith('COURSEWORK_') && !known.has(name) && !FOREIGN_PREFIXES.some((p) => name.startsWith(p)),
  );
}

function parseSettings(env: NodeJS.ProcessEnv): Parsed {
  const fileName = env.COURSEWORK_CONFIG_FILE;
  const fromFile = fileName ? readConfigFile(fileName) : {};
  const parsed: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [SettingKey, Setting][]) {
    const given = env[setting.name] ?? fromFile[setting.name];
    const text = given ?? setting.default;
    if (text === undefined) {
      const hint = setting.fromHub ? ' (JupyterHub sets it when it starts the service)' : '';
      throw new ConfigError(`${setting.name} is required${hint}`);
    }
    const result = setting.schema.safeParse(text);
    if (!result.success) {
      const why = result.error.issues.map((issue) => issue.message).join('; ');
      const shown = setting.secret ? '<hidden>' : JSON.stringify(text);
      throw new ConfigError(`${setting.name}=${shown} is invalid: ${why}`);
    }
    parsed[key] = result.data;
  }
  return parsed as Parsed;
}

function parseAccessScopes(text: string, serviceName: string): string[] {
  if (text.trim() === '') return ['access:services', `access:services!service=${serviceName}`];
  const scopes = jsonStringList.safeParse(text);
  if (!scopes.success) throw new ConfigError(`JUPYTERHUB_OAUTH_ACCESS_SCOPES is invalid: expected a JSON list of strings`);
  return scopes.data;
}

/** Builds the validated config; throws ConfigError naming the first bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const s = parseSettings(env);
  const serviceUrl = new URL(s.serviceUrl);
  const port = Number(serviceUrl.port || (serviceUrl.protocol === 'https:' ? 443 : 80));
  if (serviceUrl.protocol !== 'http:') {
    throw new ConfigError(`JUPYTERHUB_SERVICE_URL=${s.serviceUrl} is invalid: the service serves plain http behind the proxy`);
  }
  if (s.pageDefaultLimit > s.pageMaxLimit) {
    throw new ConfigError(
      `COURSEWORK_PAGE_DEFAULT_LIMIT=${s.pageDefaultLimit} is invalid: larger than COURSEWORK_PAGE_MAX_LIMIT=${s.pageMaxLimit}`,
    );
  }
  return {
    hub: {
      apiUrl: s.apiUrl.replace(/\/+$/, ''),
      apiToken: s.apiToken,
      serviceName: s.serviceName,
      servicePrefix: s.servicePrefix,
      listen: { host: serviceUrl.hostname.replace(/^\[|\]$/g, ''), port },
      clientId: s.clientId,
      oauthCallbackUrl: s.oauthCallbackUrl,
      baseUrl: s.baseUrl,
      accessScopes: parseAccessScopes(s.accessScopes, s.serviceName),
    },
    dataDir: path.resolve(s.dataDir),
    database: { url: s.databaseUrl === '' ? undefined : s.databaseUrl, poolSize: s.databasePoolSize, sqliteCacheMb: s.catalogCacheMb },
    replica: { id: s.replicaId === '' ? `${os.hostname()}:${port}` : s.replicaId, leaseMs: s.leaseSeconds * 1000 },
    homeTemplate: s.homeTemplate,
    course: {
      id: s.courseId,
      title: s.courseTitle,
      instructorsGroup: s.instructorsGroup,
      gradersGroup: s.gradersGroup,
      studentsGroup: s.studentsGroup,
    },
    groupPatterns: { instructors: s.instructorsGroupPattern, graders: s.gradersGroupPattern, students: s.studentsGroupPattern },
    declaredCourses: s.courses,
    allowStudentSnapshots: s.allowStudentSnapshots,
    compatApiKey: s.compatApiKey === '' ? undefined : s.compatApiKey,
    snapshots: {
      concurrency: s.snapshotConcurrency,
      readWorkers: s.readWorkers,
      manifestCacheEntries: s.manifestCacheEntries,
      exclude: s.exclude,
      timeZone: s.timeZone,
      retentionDays: s.retentionDays,
      housekeepingIntervalMs: s.housekeepingMinutes * 60 * 1000,
    },
    auth: {
      cacheTtlSeconds: s.cacheTtlSeconds,
      cacheMaxEntries: s.cacheMaxEntries,
      hubTimeoutMs: s.hubTimeoutMs,
      cookieSecret: s.cookieSecret === '' ? undefined : s.cookieSecret,
    },
    limits: { maxFileBytes: s.maxFileBytes, maxHomeBytes: s.maxHomeBytes, maxUploadBytes: s.maxUploadBytes },
    storage: { minFreeSpace: s.minFreeSpace, checkBytesPerRun: s.checkBytesPerRun, recentBlobs: s.recentBlobs },
    perCaller: { courseZips: s.maxCourseZipsPerCaller, jobs: s.maxJobsPerCaller },
    feedback: {
      maxFileBytes: s.feedbackMaxFileBytes,
      maxReleaseBytes: s.feedbackMaxReleaseBytes,
      extensions: s.feedbackExtensions.map((e) => e.toLowerCase()),
      deliverToHome: s.feedbackDelivery === 'home',
      homeDir: s.feedbackHomeDir,
      bulk: { maxEntries: s.bulkMaxEntries, maxRatio: s.bulkMaxRatio, maxTotalBytes: s.bulkMaxTotalBytes },
    },
    exchange: { maxBodyBytes: s.exchangeMaxBodyBytes, maxFiles: s.exchangeMaxFiles },
    pagination: { defaultLimit: s.pageDefaultLimit, maxLimit: s.pageMaxLimit },
    logLevel: s.logLevel,
  };
}
