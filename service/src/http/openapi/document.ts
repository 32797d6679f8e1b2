/**
 * The OpenAPI 3.1 contract of the service. Paths are relative to the service prefix (the `servers` entry).
 * A test keeps it in step with the router, and the integration tests validate real answers against its schemas.
 */
import { assignmentPaths, assignmentSchemas } from './assignments';
import { coursePaths, courseSchemas } from './courses';
import type { Operation } from '../../access/policy';
import { inCourseName, inCoursePath } from '../course-scope';
import { feedbackPaths, feedbackSchemas } from './feedback';
import {
  courseParameter,
  authErrors,
  error,
  errorResponse,
  pageParameters,
  pageResponse,
  studentParameter,
  storageErrors,
  damagedError,
  busyError,
} from './parts';
import { MAX_JOB_WAIT_SECONDS } from '../v1/snapshots';

const snapshotParameter = {
  name: 'snapshot',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,99}_\\d{4}-\\d{2}-\\d{2}$' },
  description: 'Full snapshot name, with its date suffix.',
};

const snapshotErrors = {
  '400': errorResponse('Bad student or snapshot name.'),
  '404': errorResponse('No such snapshot (or file).'),
  '410': errorResponse('The snapshot was deleted.'),
  ...authErrors,
};

export function openApiDocument(servicePrefix: string) {
  return withCourseScopedPaths({
    openapi: '3.1.0',
    info: {
      title: 'Coursework',
      version: '1.0.0',
      description:
        'Snapshots of student homes and feedback for courses on JupyterHub. Authenticate with ' +
        '`Authorization: token <JupyterHub API token>` (or `Bearer`), or log in through the Hub in a browser.',
    },
    servers: [{ url: servicePrefix }],
    components: {
      securitySchemes: {
        token: { type: 'apiKey', in: 'header', name: 'Authorization', description: '`token <JupyterHub token>`' },
      },
      schemas: {
        Error: error,
        ...courseSchemas,
        ...feedbackSchemas,
        ...assignmentSchemas,
        Pagination: {
          type: 'object',
          required: ['offset', 'limit', 'total', 'next'],
          properties: {
            offset: { type: 'integer' },
            limit: { type: 'integer' },
            total: { type: 'integer' },
            next: {
              oneOf: [
                { type: 'null' },
                {
                  type: 'object',
                  required: ['offset', 'limit', 'url'],
                  properties: { offset: { type: 'integer' }, limit: { type: 'integer' }, url: { type: 'string' } },
                },
              ],
            },
          },
        },
        AuditEntry: {
          type: 'object',
          required: ['at', 'actor', 'action', 'target', 'detail'],
          additionalProperties: false,
          properties: {
            at: { type: 'string', format: 'date-time' },
            actor: { type: 'string' },
            action: { type: 'string' },
            target: { type: 'string' },
            detail: { type: 'object' },
          },
        },
        Health: {
          type: 'object',
          required: ['status', 'version'],
          properties: { status: { const: 'ok' }, version: { type: 'string' } },
        },
        Me: {
          type: 'object',
          required: ['name', 'kind', 'admin', 'groups', 'roles', 'permissions', 'course', 'courseAdmin', 'courses'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            kind: { enum: ['user', 'service'] },
            admin: { type: 'boolean' },
            groups: { type: 'array', items: { type: 'string' } },
            roles: {
              type: 'array',
              items: { enum: ['instructor', 'grader', 'student'] },
              description: 'Roles in the default course (`course`).',
            },
            permissions: {
              type: 'array',
              items: { type: 'string' },
              description: 'Operation ids the caller may use in the default course.',
            },
            courseAdmin: { type: 'boolean', description: 'Whether the caller may create courses and manage any course.' },
            courses: {
              type: 'array',
              items: { $ref: '#/components/schemas/MyCourse' },
              description: 'The courses the caller has a role in.',
            },
            course: {
              type: 'object',
              required: ['id', 'title'],
              additionalProperties: false,
              properties: { id: { type: 'string' }, title: { type: 'string' } },
            },
          },
        },
        StudentOutcome: {
          type: 'object',
          required: ['status'],
          properties: {
            status: {
              enum: ['pending', 'taken', 'exists', 'no-home', 'not-a-student', 'failed', 'not-taken'],
              description: '`not-taken`: left out because the data disk is low on space (see `error`).',
            },
            files: { type: 'integer' },
            bytes: { type: 'integer' },
            skipped: { type: 'integer', description: 'Entries of the home left out (hidden, special files, over a cap, ...).' },
            error: { type: 'string' },
          },
        },
        Job: {
          type: 'object',
          required: [
            'id',
            'kind',
            'state',
            'name',
            'includeHidden',
            'total',
            'done',
            'bytes',
            'createdBy',
            'createdAt',
            'startedAt',
            'finishedAt',
            'students',
          ],
          properties: {
            id: { type: 'string' },
            kind: { const: 'snapshot' },
            state: {
              enum: ['queued', 'running', 'done', 'failed'],
              description: '`failed`: the job could not record its outcomes; see `error`.',
            },
            error: { type: 'string' },
            name: { type: 'string', description: 'The snapshot name with its date suffix.' },
            includeHidden: { type: 'boolean' },
            total: { type: 'integer' },
            done: { type: 'integer' },
            bytes: { type: 'integer' },
            createdBy: { type: 'string' },
            createdAt: { type: 'string', format: 'date-time' },
            startedAt: { type: ['string', 'null'] },
            finishedAt: { type: ['string', 'null'] },
            students: { type: 'object', additionalProperties: { $ref: '#/components/schemas/StudentOutcome' } },
          },
        },
        SnapshotSummary: {
          type: 'object',
          required: ['student', 'name', 'takenAt', 'takenBy', 'files', 'bytes', 'includeHidden', 'manifestSha256'],
          properties: {
            student: { type: 'string' },
            name: { type: 'string' },
            takenAt: { type: 'string', format: 'date-time' },
            takenBy: { type: 'string' },
            files: { type: 'integer' },
            bytes: { type: 'integer' },
            includeHidden: { type: 'boolean' },
            manifestSha256: { type: 'string', description: 'SHA-256 of the manifest: a receipt of what was captured.' },
            damaged: {
              type: 'array',
              items: { type: 'string' },
              description: 'Files whose stored bytes were found damaged and could not be repaired; absent when the snapshot is whole.',
            },
          },
        },
        SnapshotDetail: {
          allOf: [
            { $ref: '#/components/schemas/SnapshotSummary' },
            {
              type: 'object',
              required: ['skipped'],
              properties: {
                skipped: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['path', 'reason'],
                    properties: {
                      path: { type: 'string' },
                      reason: {
                        enum: [
                          'hidden',
                          'excluded',
                          'fifo',
                          'socket',
                          'device',
                          'other-filesystem',
                          'over-file-cap',
                          'over-home-cap',
                          'vanished',
                          'unreadable',
                          'unusable-name',
                        ],
                      },
                    },
                  },
                },
              },
            },
          ],
        },
        ManifestEntry: {
          type: 'object',
          required: ['path', 'type', 'size', 'mode', 'mtime', 'sha256'],
          additionalProperties: false,
          properties: {
            path: { type: 'string' },
            type: { enum: ['file', 'symlink'], description: 'Symlinks are recorded, never followed.' },
            size: { type: 'integer' },
            mode: { type: 'integer' },
            mtime: { type: 'string', format: 'date-time' },
            sha256: { type: ['string', 'null'] },
            note: {
              enum: ['changed-while-reading'],
              description: 'The file kept changing while it was read; one complete read of it is kept.',
            },
          },
        },
        CheckReport: {
          type: 'object',
          required: ['ok', 'blobs', 'hashed', 'bytesHashed', 'broken', 'damaged', 'hashedUpTo'],
          additionalProperties: false,
          properties: {
            ok: { type: 'boolean', description: 'Nothing broken, or everything broken repaired.' },
            blobs: { type: 'integer' },
            hashed: { type: 'integer' },
            bytesHashed: { type: 'integer' },
            broken: {
              type: 'array',
              items: {
                type: 'object',
                required: ['sha256', 'problem', 'neededBy'],
                additionalProperties: false,
                properties: {
                  sha256: { type: 'string' },
                  problem: { enum: ['missing', 'no-header', 'short', 'long', 'wrong-hash', 'unreadable'] },
                  repairedFrom: {
                    type: 'object',
                    required: ['student', 'path'],
                    properties: { student: { type: 'string' }, path: { type: 'string' } },
                  },
                  neededBy: { type: 'array', items: { type: 'string' } },
                },
              },
            },
            damaged: {
              type: 'object',
              required: ['snapshots', 'feedbackFiles'],
              properties: { snapshots: { type: 'integer' }, feedbackFiles: { type: 'integer' } },
            },
            hashedUpTo: { type: ['string', 'null'] },
          },
        },
        Student: {
          type: 'object',
          required: ['name', 'homeExists', 'latestSnapshotAt'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            homeExists: { type: 'boolean', description: 'Whether the home directory exists (as a real directory).' },
            latestSnapshotAt: {
              type: ['string', 'null'],
              format: 'date-time',
              description: "When the student's latest live snapshot was taken.",
            },
          },
        },
      },
    },
    security: [{ token: [] }],
    paths: {
      '/health': {
        get: {
          operationId: 'getHealth',
          summary: 'Liveness; answers without authentication.',
          security: [],
          responses: { '200': { description: 'Up', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } } },
        },
      },
      '/api/v1/openapi.json': {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document.',
          security: [],
          responses: { '200': { description: 'The OpenAPI document', content: { 'application/json': {} } } },
        },
      },
      '/api/v1/me': {
        get: {
          operationId: 'getMe',
          summary: 'The caller, their courses and roles, and what they may do in the default course.',
          responses: {
            '200': { description: 'The caller', content: { 'application/json': { schema: { $ref: '#/components/schemas/Me' } } } },
            ...authErrors,
          },
        },
      },
      '/api/v1/students': {
        get: {
          operationId: 'listStudents',
          summary: "The course's students (members of its Hub students group), sorted by name. Instructors only.",
          parameters: pageParameters,
          responses: {
            '200': pageResponse('A page of students', 'Student'),
            '400': errorResponse('Bad offset or limit.'),
            ...authErrors,
          },
        },
      },
      '/api/v1/download-links': {
        post: {
          operationId: 'createDownloadLink',
          summary:
            'A link to one download (a file, a zip, a CSV) that works without credentials for a minute, for the caller who made it: a page that authenticates with a token header hands it to the browser, which streams the download to disk.',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['path'],
                  properties: {
                    path: { type: 'string', description: 'A download path of this API, relative to the service, with its query.' },
                  },
                },
              },
            },
          },
          responses: {
            '201': {
              description: 'The link (an absolute path on the Hub) and when it expires',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['url', 'expiresAt'],
                    additionalProperties: false,
                    properties: { url: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } },
                  },
                },
              },
            },
            '400': errorResponse('Not a path of this API.'),
            ...authErrors,
          },
        },
      },
      '/api/v1/audit': {
        get: {
          operationId: 'getAudit',
          summary: 'The audit log, newest first: every snapshot, download, deletion, release and schedule change, with who and when.',
          parameters: [
            ...pageParameters,
            {
              name: 'action',
              in: 'query',
              schema: { type: 'string' },
              description: 'One action (`feedback.released`) or a family (`feedback.`).',
            },
            { name: 'actor', in: 'query', schema: { type: 'string' } },
            { name: 'target', in: 'query', schema: { type: 'string' }, description: 'Targets starting with this, e.g. `student1/`.' },
          ],
          responses: {
            '200': pageResponse('A page of entries', 'AuditEntry'),
            '400': errorResponse('Bad offset or limit.'),
            ...authErrors,
          },
        },
      },
      '/api/docs': {
        get: {
          operationId: 'getApiDocs',
          summary:
            'This document as a page: every operation and schema, rendered by the service (no script, nothing loaded from elsewhere).',
          security: [],
          responses: { '200': { description: 'The page', content: { 'text/html': {} } } },
        },
      },
      '/metrics': {
        get: {
          operationId: 'getMetrics',
          summary:
            "Prometheus metrics: requests by operation and status with latencies, identity cache hits, snapshot jobs and homes by outcome, bytes captured, feedback deliveries, storage refusals, quarantined blobs, the data disk's free space, and the process's own. Readable with JupyterHub's `read:metrics` scope.",
          responses: {
            '200': { description: 'The metrics, in the Prometheus text format', content: { 'text/plain': {} } },
            '401': errorResponse('No token, or a token the Hub does not accept.'),
            '403': errorResponse('The token does not hold `read:metrics`.'),
          },
        },
      },
      '/api/v1/check': {
        post: {
          operationId: 'checkStore',
          summary:
            "Checks the blob store like `restic check` (the `coursework check` command does the same from the Hub's machine): every blob's length, the SHA-256 of a subset, every blob a snapshot or feedback file needs present. Broken blobs are quarantined and repaired from homes where the home still has the bytes; what cannot be repaired is named on the snapshots (`damaged`) that need it.",
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    readDataSubset: {
                      type: 'string',
                      default: '0%',
                      description: 'Blobs whose bytes are hashed: `all`, `none`, a share (`10%`) or a slice (`1/5`).',
                    },
                    repair: { type: 'boolean', default: true, description: 'Quarantine, repair and mark; false only reports.' },
                  },
                },
              },
            },
          },
          responses: {
            '200': {
              description: 'What the check found and did.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/CheckReport' } } },
            },
            '400': errorResponse('Bad subset.'),
            '409': errorResponse('A check is already running.'),
            ...authErrors,
          },
        },
      },
      '/api/v1/snapshots': {
        get: {
          operationId: 'listSnapshots',
          summary: "Every student's snapshots, by student and newest first: the course's overview in a few pages.",
          parameters: [...pageParameters],
          responses: {
            '200': pageResponse('A page of snapshots', 'SnapshotSummary'),
            ...authErrors,
          },
        },
        post: {
          operationId: 'createSnapshots',
          summary:
            'Snapshot one, several or all students in the background. The name gets the course-local date as suffix; a student who already has that snapshot is reported as `exists`, never overwritten. An identical request while one runs joins it.',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['name'],
                  properties: {
                    name: { type: 'string', maxLength: 100 },
                    students: { type: 'array', items: { type: 'string' }, description: 'Default: every student of the course.' },
                    includeHidden: { type: 'boolean', default: false },
                  },
                },
              },
            },
          },
          responses: {
            '202': {
              description: 'The job (new, or the running one this request joined); its URL is in Location.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['job', 'joined'],
                    properties: { job: { $ref: '#/components/schemas/Job' }, joined: { type: 'boolean' } },
                  },
                },
              },
            },
            '400': errorResponse('Bad name or student list.'),
            ...authErrors,
            ...busyError('The caller has COURSEWORK_MAX_JOBS_PER_CALLER snapshot jobs running already'),
            ...storageErrors,
          },
        },
      },
      '/api/v1/jobs/{job}': {
        get: {
          operationId: 'getJob',
          summary: 'State and progress of a job, with the outcome for each student.',
          parameters: [
            { name: 'job', in: 'path', required: true, schema: { type: 'string' } },
            {
              name: 'wait',
              in: 'query',
              required: false,
              description:
                'Seconds to wait for the job to finish before answering (a long poll instead of repeated reads); 0, the default, answers at once.',
              schema: { type: 'integer', minimum: 0, maximum: MAX_JOB_WAIT_SECONDS },
            },
          ],
          responses: {
            '200': {
              description: 'The job: done, or as it stands once the wait is over',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Job' } } },
            },
            '400': errorResponse('Bad wait.'),
            '404': errorResponse('No such job.'),
            ...authErrors,
          },
        },
      },
      '/api/v1/students/{student}/snapshots': {
        get: {
          operationId: 'listStudentSnapshots',
          summary: "A student's snapshots, newest first (instructors; the student too when the admin allows it).",
          parameters: [studentParameter, ...pageParameters],
          responses: {
            '200': pageResponse('A page of snapshots', 'SnapshotSummary'),
            '400': errorResponse('Bad student name.'),
            ...authErrors,
          },
        },
      },
      '/api/v1/students/{student}/snapshots/{snapshot}': {
        get: {
          operationId: 'getStudentSnapshot',
          summary: 'One snapshot, with what the walk left out and why.',
          parameters: [studentParameter, snapshotParameter],
          responses: {
            '200': {
              description: 'The snapshot',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/SnapshotDetail' } } },
            },
            ...snapshotErrors,
          },
        },
        delete: {
          operationId: 'deleteStudentSnapshot',
          summary: 'Deletes a snapshot (instructors). It then answers 410; its bytes are collected once unreferenced.',
          parameters: [studentParameter, snapshotParameter],
          responses: { '204': { description: 'Deleted' }, ...snapshotErrors },
        },
      },
      '/api/v1/students/{student}/snapshots/{snapshot}/files': {
        get: {
          operationId: 'listSnapshotFiles',
          summary: 'The manifest: every file and symlink captured.',
          parameters: [studentParameter, snapshotParameter, ...pageParameters],
          responses: {
            '200': pageResponse('A page of manifest entries', 'ManifestEntry'),
            ...snapshotErrors,
          },
        },
      },
      '/api/v1/students/{student}/snapshots/{snapshot}/files/{path}': {
        get: {
          operationId: 'getSnapshotFile',
          summary: 'One file, as an attachment: real Content-Type, ETag (the SHA-256), Range, gzip when accepted.',
          parameters: [
            studentParameter,
            snapshotParameter,
            { name: 'path', in: 'path', required: true, schema: { type: 'string' }, description: 'Path in the snapshot; may contain /.' },
          ],
          responses: {
            '200': { description: 'The bytes', content: { 'application/octet-stream': {} } },
            '206': { description: 'A byte range' },
            '304': { description: 'Not modified (If-None-Match)' },
            '416': errorResponse('Range not satisfiable.'),
            ...snapshotErrors,
            ...damagedError,
          },
        },
      },
      '/api/v1/students/{student}/snapshots/{snapshot}/zip': {
        get: {
          operationId: 'getStudentSnapshotZip',
          summary: 'The snapshot as a streamed zip, `<student>_<snapshot>.zip`.',
          parameters: [studentParameter, snapshotParameter],
          responses: { '200': { description: 'The zip', content: { 'application/zip': {} } }, ...snapshotErrors },
        },
      },
      '/api/v1/snapshots/{snapshot}/zip': {
        get: {
          operationId: 'getSnapshotNameZip',
          summary: 'One zip of a snapshot name across students, a folder per student, streamed: what a grader downloads.',
          parameters: [
            snapshotParameter,
            { name: 'students', in: 'query', schema: { type: 'string' }, description: 'Comma-separated names; default: all.' },
          ],
          responses: {
            '200': { description: 'The zip', content: { 'application/zip': {} } },
            '400': errorResponse('Bad snapshot or student name.'),
            '404': errorResponse('No student has that snapshot.'),
            ...authErrors,
            ...busyError('The caller is downloading COURSEWORK_MAX_COURSE_ZIPS_PER_CALLER course zips already'),
          },
        },
      },
      ...coursePaths,
      ...feedbackPaths,
      ...assignmentPaths,
    },
  });
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

interface DocumentedOperation {
  operationId: Operation;
  summary?: string;
  parameters?: unknown[];
  responses: Record<string, unknown>;
}

/**
 * Adds, for each route about a course's resources, its twin under `courses/{course}` (course-scope.ts): the same
 * operation for any course, the unscoped path serving the default course.
 */
function withCourseScopedPaths<T extends { paths: Record<string, object> }>(document: T): T {
  const paths: Record<string, Record<string, DocumentedOperation>> = {};
  for (const [path, item] of Object.entries(document.paths) as [string, Record<string, DocumentedOperation>][]) {
    paths[path] = item;
    for (const [method, op] of Object.entries(item)) {
      const scoped = inCoursePath(op.operationId, path, '{course}');
      if (!scoped) continue;
      paths[scoped] = {
        ...paths[scoped],
        [method]: {
          ...op,
          operationId: inCourseName(op.operationId) as Operation,
          summary:
            `${op.summary ?? ''} In the course \`{course}\` (the path without \`courses/{course}\` serves the default course).`.trim(),
          parameters: [courseParameter, ...(op.parameters ?? [])],
          responses: { ...op.responses, '410': errorResponse('The course was deleted.') },
        },
      };
    }
  }
  return { ...document, paths };
}
