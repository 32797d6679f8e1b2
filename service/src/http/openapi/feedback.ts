/** The feedback section of the OpenAPI document: schemas and paths. */
import { authErrors, damagedError, errorResponse, storageErrors, studentParameter } from './parts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { oneOf: [{ type: 'null' }, time] } as const;
const rejection = {
  type: 'object',
  required: ['path', 'reason'],
  additionalProperties: false,
  properties: { path: { type: 'string' }, reason: { type: 'string' } },
} as const;

export const feedbackSchemas = {
  FeedbackFile: {
    type: 'object',
    required: ['path', 'size', 'sha256', 'releasedAt'],
    additionalProperties: false,
    properties: {
      path: { type: 'string' },
      size: { type: 'integer' },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      releasedAt: time,
    },
  },
  MyFeedback: {
    type: 'object',
    required: ['items'],
    additionalProperties: false,
    properties: {
      items: {
        type: 'array',
        items: {
          type: 'object',
          required: ['assignment', 'course', 'releasedAt', 'files'],
          additionalProperties: false,
          properties: {
            assignment: { type: 'string' },
            course: ref('CourseRef'),
            releasedAt: time,
            files: { type: 'array', items: ref('FeedbackFile') },
          },
        },
      },
    },
  },
  HomeDelivery: {
    type: 'object',
    required: ['status', 'at'],
    additionalProperties: false,
    properties: {
      status: { enum: ['written', 'unchanged', 'kept-both', 'exists', 'refused', 'failed', 'waiting'] },
      path: { type: 'string', description: 'Where the file went, relative to the home.' },
      reason: { type: 'string' },
      at: time,
    },
  },
  FeedbackVersion: {
    type: 'object',
    required: [
      'path',
      'size',
      'sha256',
      'releaseAt',
      'released',
      'releasedBy',
      'createdAt',
      'replacedAt',
      'withdrawnAt',
      'withdrawnBy',
      'homePath',
      'delivery',
    ],
    additionalProperties: false,
    properties: {
      path: { type: 'string' },
      size: { type: 'integer' },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      releaseAt: time,
      released: { type: 'boolean', description: 'Whether the student sees it now.' },
      releasedBy: { type: 'string' },
      createdAt: time,
      replacedAt: nullableTime,
      withdrawnAt: nullableTime,
      withdrawnBy: { type: ['string', 'null'] },
      homePath: { type: ['string', 'null'], description: 'Target in the home when the release is also written there.' },
      delivery: { oneOf: [{ type: 'null' }, ref('HomeDelivery')] },
    },
  },
  StudentFeedback: {
    type: 'object',
    required: ['student', 'assignment', 'files', 'history'],
    additionalProperties: false,
    properties: {
      student: { type: 'string' },
      assignment: { type: 'string' },
      files: { type: 'array', items: ref('FeedbackVersion'), description: 'The current version of each file.' },
      history: { type: 'array', items: ref('FeedbackVersion'), description: 'Replaced and withdrawn versions, newest first.' },
    },
  },
  FeedbackAssignmentSummary: {
    type: 'object',
    required: ['assignment', 'files', 'bytes', 'released', 'pending', 'nextReleaseAt'],
    additionalProperties: false,
    properties: {
      assignment: { type: 'string' },
      files: { type: 'integer' },
      bytes: { type: 'integer' },
      released: { type: 'integer' },
      pending: { type: 'integer' },
      nextReleaseAt: nullableTime,
    },
  },
  BulkReleaseReport: {
    type: 'object',
    required: ['assignment', 'releaseAt', 'students', 'rejected'],
    additionalProperties: false,
    properties: {
      assignment: { type: 'string' },
      releaseAt: time,
      students: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          required: ['status', 'files', 'rejected'],
          additionalProperties: false,
          properties: {
            status: { enum: ['released', 'unknown-student', 'rejected'] },
            files: { type: 'array', items: { type: 'string' } },
            rejected: { type: 'array', items: rejection },
          },
        },
      },
      rejected: { type: 'array', items: rejection, description: 'Entries outside any student folder.' },
    },
  },
  Rescheduled: {
    type: 'object',
    required: ['rescheduled'],
    additionalProperties: false,
    properties: { rescheduled: { type: 'integer', description: 'Files whose release time moved.' } },
  },
} as const;

const assignmentParameter = {
  name: 'assignment',
  in: 'path',
  required: true,
  schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$' },
};
const pathParameter = {
  name: 'path',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'Relative path; may contain /.',
};
const releaseParameters = [
  { name: 'releaseAt', in: 'query', schema: time, description: 'When the student sees the files (ISO 8601 with zone); default now.' },
  {
    name: 'deliver',
    in: 'query',
    schema: { type: 'boolean' },
    description: "Also write the files into the student's home; default: the service's setting.",
  },
];
const rescheduleBody = {
  required: true,
  content: json({ type: 'object', required: ['releaseAt'], properties: { releaseAt: time } }),
};
const feedbackErrors = {
  '400': errorResponse('Bad student, assignment or file path, disallowed extension, or bad release time.'),
  '404': errorResponse('No such student or feedback.'),
  ...authErrors,
};
const download = {
  '200': {
    description: 'The bytes, as an attachment with ETag (the SHA-256) and Range support',
    content: { 'application/octet-stream': {} },
  },
  '206': { description: 'A byte range' },
  '304': { description: 'Not modified (If-None-Match)' },
  ...damagedError,
};

export const feedbackPaths = {
  '/api/v1/students/{student}/feedback': {
    get: {
      operationId: 'listStudentFeedback',
      summary: 'The assignments a student has feedback on, with counts of released and scheduled files. Instructors only.',
      parameters: [studentParameter],
      responses: {
        '200': { description: 'Assignments', content: json({ type: 'array', items: ref('FeedbackAssignmentSummary') }) },
        ...feedbackErrors,
      },
    },
  },
  '/api/v1/students/{student}/feedback/{assignment}': {
    get: {
      operationId: 'getStudentFeedback',
      summary: "A student's feedback on an assignment: current files (released or scheduled, with their delivery) and history.",
      parameters: [studentParameter, assignmentParameter],
      responses: { '200': { description: 'The feedback', content: json(ref('StudentFeedback')) }, ...feedbackErrors },
    },
    post: {
      operationId: 'releaseFeedback',
      summary:
        'Releases several files (multipart, each file named by its path in the release). A file replaces the current version of the same path; earlier versions stay in the history.',
      parameters: [studentParameter, assignmentParameter, ...releaseParameters],
      requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object' } } } },
      responses: {
        '201': { description: 'The feedback after the release', content: json(ref('StudentFeedback')) },
        '413': errorResponse('A file or the release is over its size limit.'),
        ...feedbackErrors,
        ...storageErrors,
      },
    },
    patch: {
      operationId: 'rescheduleStudentFeedback',
      summary: 'Moves the release time of the files not released yet.',
      parameters: [studentParameter, assignmentParameter],
      requestBody: rescheduleBody,
      responses: { '200': { description: 'How many moved', content: json(ref('Rescheduled')) }, ...feedbackErrors },
    },
    delete: {
      operationId: 'withdrawFeedback',
      summary: 'Withdraws the current files (they stay in the history; files already written into the home stay there).',
      parameters: [studentParameter, assignmentParameter],
      responses: { '204': { description: 'Withdrawn' }, ...feedbackErrors },
    },
  },
  '/api/v1/students/{student}/feedback/{assignment}/files/{path}': {
    put: {
      operationId: 'putFeedbackFile',
      summary: 'Releases one file: the raw body (or one multipart file) becomes the file at this path.',
      parameters: [studentParameter, assignmentParameter, pathParameter, ...releaseParameters],
      requestBody: { required: true, content: { 'application/octet-stream': {}, 'multipart/form-data': {} } },
      responses: {
        '201': { description: 'The released version', content: json(ref('FeedbackVersion')) },
        '413': errorResponse('The file is over the size limit.'),
        ...feedbackErrors,
        ...storageErrors,
      },
    },
    get: {
      operationId: 'getStudentFeedbackFile',
      summary: 'The current version of a feedback file, released or not.',
      parameters: [studentParameter, assignmentParameter, pathParameter],
      responses: { ...download, ...feedbackErrors },
    },
    delete: {
      operationId: 'withdrawFeedbackFile',
      summary: 'Withdraws one file (kept in the history).',
      parameters: [studentParameter, assignmentParameter, pathParameter],
      responses: { '204': { description: 'Withdrawn' }, ...feedbackErrors },
    },
  },
  '/api/v1/feedback/{assignment}': {
    post: {
      operationId: 'releaseFeedbackZip',
      summary:
        "Releases a zip with a folder per student (`<student>/...`, or nbgrader's `feedback/<student>/<assignment>/...`). Hostile archives are refused before anything is stored; the report says, per student, what was released and what was rejected and why.",
      parameters: [assignmentParameter, ...releaseParameters],
      requestBody: { required: true, content: { 'multipart/form-data': {}, 'application/zip': {} } },
      responses: {
        '200': { description: 'The report', content: json(ref('BulkReleaseReport')) },
        '400': errorResponse('Not a zip, too many entries, or unpacks to too much.'),
        '413': errorResponse('The upload is over the size limit.'),
        ...authErrors,
        ...storageErrors,
      },
    },
    patch: {
      operationId: 'rescheduleFeedback',
      summary: "Moves the release time of every student's files of the assignment not released yet: publish a whole class at once.",
      parameters: [assignmentParameter],
      requestBody: rescheduleBody,
      responses: { '200': { description: 'How many moved', content: json(ref('Rescheduled')) }, ...feedbackErrors },
    },
  },
  '/api/v1/me/feedback': {
    get: {
      operationId: 'listMyFeedback',
      summary: "The caller's released feedback, by assignment. Files scheduled for later are not shown.",
      responses: { '200': { description: 'Feedback', content: json(ref('MyFeedback')) }, ...authErrors },
    },
  },
  '/api/v1/me/feedback/{assignment}/files/{path}': {
    get: {
      operationId: 'getMyFeedbackFile',
      summary: 'One released feedback file of the caller.',
      parameters: [
        assignmentParameter,
        pathParameter,
        {
          name: 'course',
          in: 'query',
          schema: { type: 'string' },
          description: 'The course of the assignment (default: the default course).',
        },
      ],
      responses: { ...download, '404': errorResponse('No such released file of the caller.'), ...authErrors },
    },
  },
} as const;
