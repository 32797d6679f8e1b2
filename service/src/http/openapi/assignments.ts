/** The assignments section of the OpenAPI document: schemas and paths. */
import { authErrors, errorResponse, studentParameter } from './parts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const time = { type: 'string', format: 'date-time' } as const;
const captureStatus = { enum: ['upcoming', 'due', 'capturing', 'captured', 'failed', 'not-scheduled'] } as const;

const captureSchedule = {
  type: 'object',
  required: ['everyMinutes', 'forMinutes'],
  additionalProperties: false,
  properties: { everyMinutes: { type: 'integer', minimum: 1 }, forMinutes: { type: 'integer', minimum: 1 } },
  description: 'Periodic captures before the due time: every `everyMinutes` during the last `forMinutes`.',
} as const;

export const assignmentSchemas = {
  Extension: {
    type: 'object',
    required: ['student', 'dueAt', 'dueAtLocal', 'grantedBy', 'grantedAt'],
    additionalProperties: false,
    properties: {
      student: { type: 'string' },
      dueAt: time,
      dueAtLocal: { type: 'string' },
      grantedBy: { type: 'string' },
      grantedAt: time,
    },
  },
  Assignment: {
    type: 'object',
    required: [
      'id',
      'title',
      'dueAt',
      'dueAtLocal',
      'timeZone',
      'snapshotAtDue',
      'captures',
      'createdBy',
      'createdAt',
      'updatedAt',
      'extensions',
    ],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      title: { type: 'string' },
      dueAt: time,
      dueAtLocal: { type: 'string', description: "The due time in the course's time zone." },
      timeZone: { type: 'string' },
      snapshotAtDue: { type: 'boolean' },
      captures: { oneOf: [{ type: 'null' }, captureSchedule] },
      createdBy: { type: 'string' },
      createdAt: time,
      updatedAt: time,
      extensions: { type: 'array', items: ref('Extension') },
    },
  },
  Receipt: {
    type: 'object',
    required: ['snapshot', 'takenAt', 'files', 'bytes', 'manifestSha256', 'lateBySeconds'],
    additionalProperties: false,
    properties: {
      snapshot: { type: 'string' },
      takenAt: time,
      files: { type: 'integer' },
      bytes: { type: 'integer' },
      manifestSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      lateBySeconds: {
        type: ['integer', 'null'],
        description: 'Set when the capture began after the due time (the service was down then).',
      },
    },
  },
  SubmissionReceipt: {
    type: 'object',
    description: "A submission through nbgrader's exchange, also a snapshot of the student.",
    required: ['snapshot', 'submittedAt', 'timestamp', 'files', 'bytes', 'manifestSha256', 'lateBySeconds'],
    additionalProperties: false,
    properties: {
      snapshot: { type: 'string' },
      submittedAt: time,
      timestamp: { type: 'string', description: 'As nbgrader sees it: `YYYY-MM-DD HH:MM:SS.ffffff`, UTC.' },
      files: { type: 'integer' },
      bytes: { type: 'integer' },
      manifestSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      lateBySeconds: { type: ['integer', 'null'], description: "After the student's own due time by this much; null when on time." },
    },
  },
  AssignmentStudentStatus: {
    type: 'object',
    required: [
      'student',
      'dueAt',
      'dueAtLocal',
      'extended',
      'status',
      'receipt',
      'error',
      'feedbackReleasedAt',
      'feedbackScheduledAt',
      'feedbackSeenAt',
      'submission',
    ],
    additionalProperties: false,
    properties: {
      student: { type: 'string' },
      dueAt: time,
      dueAtLocal: { type: 'string' },
      extended: { type: 'boolean' },
      status: captureStatus,
      receipt: { oneOf: [{ type: 'null' }, ref('Receipt')] },
      error: { type: ['string', 'null'] },
      feedbackReleasedAt: { oneOf: [{ type: 'null' }, time] },
      feedbackScheduledAt: { oneOf: [{ type: 'null' }, time] },
      feedbackSeenAt: { oneOf: [{ type: 'null' }, time], description: 'Opened by the student since the latest release.' },
      submission: { oneOf: [{ type: 'null' }, ref('SubmissionReceipt')] },
    },
  },
  TimelineEvent: {
    type: 'object',
    required: ['at', 'kind', 'assignment', 'what', 'by'],
    additionalProperties: false,
    properties: {
      at: time,
      kind: {
        enum: [
          'snapshot',
          'capture',
          'capture-failed',
          'snapshot-deleted',
          'snapshot-downloaded',
          'submission',
          'feedback-scheduled',
          'feedback-released',
          'feedback-delivered',
          'feedback-withdrawn',
          'feedback-viewed',
          'extension',
        ],
      },
      assignment: { type: ['string', 'null'] },
      what: { type: 'string', description: "The snapshot's name, the feedback file's path, the new due time." },
      by: { type: 'string' },
      files: { type: 'integer' },
      bytes: { type: 'integer' },
    },
  },
  StudentTimeline: {
    type: 'object',
    required: ['student', 'course', 'dues', 'events', 'truncated'],
    additionalProperties: false,
    properties: {
      student: { type: 'string' },
      course: ref('CourseRef'),
      dues: {
        type: 'array',
        items: {
          type: 'object',
          required: ['assignment', 'title', 'dueAt', 'extended'],
          additionalProperties: false,
          properties: { assignment: { type: 'string' }, title: { type: 'string' }, dueAt: time, extended: { type: 'boolean' } },
        },
      },
      events: { type: 'array', items: ref('TimelineEvent'), description: 'Oldest first.' },
      truncated: { type: 'boolean', description: 'Whether older events were left out (the latest 2000 are kept).' },
    },
  },
  MyAssignment: {
    type: 'object',
    required: ['id', 'course', 'title', 'dueAt', 'dueAtLocal', 'extended', 'status', 'receipt', 'submission'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      course: ref('CourseRef'),
      title: { type: 'string' },
      dueAt: time,
      dueAtLocal: { type: 'string' },
      extended: { type: 'boolean' },
      status: captureStatus,
      receipt: { oneOf: [{ type: 'null' }, ref('Receipt')] },
      submission: { oneOf: [{ type: 'null' }, ref('SubmissionReceipt')] },
    },
  },
} as const;

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$' } };
const assignmentBody = (required: string[]) => ({
  required: true,
  content: json({
    type: 'object',
    required,
    properties: {
      id: { type: 'string' },
      title: { type: 'string' },
      dueAt: time,
      snapshotAtDue: { type: 'boolean', default: true },
      captures: { oneOf: [{ type: 'null' }, captureSchedule] },
    },
  }),
});
const errors = {
  '400': errorResponse('Bad id, time or field.'),
  '404': errorResponse('No such assignment (or student, or extension).'),
  ...authErrors,
};

export const assignmentPaths = {
  '/api/v1/assignments': {
    get: {
      operationId: 'listAssignments',
      summary: 'The course’s assignments, by due time, with their extensions.',
      responses: { '200': { description: 'Assignments', content: json({ type: 'array', items: ref('Assignment') }) }, ...authErrors },
    },
    post: {
      operationId: 'createAssignment',
      summary:
        "Creates an assignment. Each student's home is captured at their due time (unless snapshotAtDue is false), named after the assignment with the date suffix.",
      requestBody: assignmentBody(['id', 'dueAt']),
      responses: {
        '201': { description: 'Created', content: json(ref('Assignment')) },
        '409': errorResponse('The id is (or was) in use.'),
        ...errors,
      },
    },
  },
  '/api/v1/assignments/{id}': {
    get: {
      operationId: 'getAssignment',
      summary: 'One assignment.',
      parameters: [idParameter],
      responses: { '200': { description: 'The assignment', content: json(ref('Assignment')) }, ...errors },
    },
    patch: {
      operationId: 'updateAssignment',
      summary: 'Changes title, due time or captures; the schedule is re-planned at once (captures already taken are kept).',
      parameters: [idParameter],
      requestBody: assignmentBody([]),
      responses: { '200': { description: 'The assignment', content: json(ref('Assignment')) }, ...errors },
    },
    delete: {
      operationId: 'deleteAssignment',
      summary: 'Removes the assignment from the schedule; its snapshots stay.',
      parameters: [idParameter],
      responses: { '204': { description: 'Deleted' }, ...errors },
    },
  },
  '/api/v1/assignments/{id}/extensions/{student}': {
    put: {
      operationId: 'grantExtension',
      summary: "Gives one student their own due time (later or earlier); that student's capture moves with it.",
      parameters: [idParameter, studentParameter],
      requestBody: { required: true, content: json({ type: 'object', required: ['dueAt'], properties: { dueAt: time } }) },
      responses: { '200': { description: 'The assignment', content: json(ref('Assignment')) }, ...errors },
    },
    delete: {
      operationId: 'revokeExtension',
      summary: 'Takes an extension back: the student is due with everyone again.',
      parameters: [idParameter, studentParameter],
      responses: { '204': { description: 'Revoked' }, ...errors },
    },
  },
  '/api/v1/assignments/{id}/status': {
    get: {
      operationId: 'getAssignmentStatus',
      summary: 'Per student: due time, deadline capture and its receipt, feedback released. `?format=csv` for a spreadsheet.',
      parameters: [idParameter, { name: 'format', in: 'query', schema: { enum: ['json', 'csv'], default: 'json' } }],
      responses: {
        '200': {
          description: 'The status',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['assignment', 'students'],
                properties: { assignment: ref('Assignment'), students: { type: 'array', items: ref('AssignmentStudentStatus') } },
              },
            },
            'text/csv': {},
          },
        },
        ...errors,
      },
    },
  },
  '/api/v1/changes': {
    get: {
      operationId: 'getClassChanges',
      summary:
        'What changed in the course after a cursor: the students whose work, feedback or due times changed, and whether the assignments (or the course, or its roster) did. Without `after`, the cursor to start from. With `wait`, an answer with nothing in it waits up to that many seconds for a change.',
      parameters: [
        { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'The cursor of an earlier answer.' },
        { name: 'wait', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 30 } },
      ],
      responses: {
        '200': {
          description: 'The changes',
          content: json({
            type: 'object',
            required: ['cursor', 'students', 'assignments'],
            additionalProperties: false,
            properties: {
              cursor: { type: 'integer' },
              students: { type: 'array', items: { type: 'string' } },
              assignments: { type: 'boolean' },
            },
          }),
        },
        ...errors,
      },
    },
  },
  '/api/v1/class': {
    get: {
      operationId: 'getClassStatus',
      summary:
        "The whole class at once: every assignment's status for every student of the roster (`status[i][j]` is student i on assignment j), or for the students named in `students`.",
      parameters: [
        { name: 'students', in: 'query', schema: { type: 'string' }, description: 'Comma-separated: only these students (of the roster).' },
      ],
      responses: {
        '200': {
          description: 'The class',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['course', 'assignments', 'students', 'status'],
                additionalProperties: false,
                properties: {
                  course: ref('CourseRef'),
                  assignments: { type: 'array', items: ref('Assignment') },
                  students: { type: 'array', items: { type: 'string' } },
                  status: { type: 'array', items: { type: 'array', items: ref('AssignmentStudentStatus') } },
                },
              },
            },
          },
        },
        ...errors,
      },
    },
  },
  '/api/v1/students/{student}/timeline': {
    get: {
      operationId: 'getStudentTimeline',
      summary:
        "A student's history on one time axis: snapshots and deadline captures, submissions, feedback released, delivered, withdrawn and opened by the student, extensions; and the student's due time on each assignment.",
      parameters: [studentParameter],
      responses: {
        '200': { description: 'The timeline', content: json(ref('StudentTimeline')) },
        ...errors,
      },
    },
  },
  '/api/v1/assignments/{id}/trigger': {
    post: {
      operationId: 'triggerAssignment',
      summary: "Takes the deadline capture now (an LMS's deadline webhook, with a Hub service token). Idempotent per student and due time.",
      parameters: [idParameter],
      requestBody: { content: json({ type: 'object', properties: { students: { type: 'array', items: { type: 'string' } } } }) },
      responses: {
        '202': {
          description: 'Which captures this call started and which existed',
          content: json({
            type: 'object',
            required: ['started', 'already'],
            additionalProperties: false,
            properties: { started: { type: 'array', items: { type: 'string' } }, already: { type: 'array', items: { type: 'string' } } },
          }),
        },
        ...errors,
      },
    },
  },
  '/api/v1/me/assignments': {
    get: {
      operationId: 'listMyAssignments',
      summary: "The caller's assignments: their own due time (with extension) and the receipt of their deadline capture.",
      responses: { '200': { description: 'Assignments', content: json({ type: 'array', items: ref('MyAssignment') }) }, ...authErrors },
    },
  },
} as const;
