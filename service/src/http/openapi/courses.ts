/** The courses section of the OpenAPI document: courses, their rosters, and the caller's courses. */
import { authErrors, courseIdSchema, courseParameter, errorResponse } from './parts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const time = { type: 'string', format: 'date-time' } as const;
const role = { enum: ['instructor', 'grader', 'student'] } as const;
const roles = { type: 'array', items: role } as const;

const groups = {
  type: 'object',
  required: ['instructors', 'graders', 'students'],
  additionalProperties: false,
  properties: {
    instructors: { type: 'string' },
    graders: { type: ['string', 'null'], description: 'Null: the course has no graders group.' },
    students: { type: 'string' },
  },
  description: 'The Hub groups whose members hold each role in the course.',
} as const;

export const courseSchemas = {
  CourseRef: {
    type: 'object',
    required: ['id', 'title'],
    additionalProperties: false,
    properties: { id: { type: 'string' }, title: { type: 'string' } },
    description: 'The course something belongs to.',
  },
  Course: {
    type: 'object',
    required: ['id', 'title', 'timeZone', 'groups', 'capture', 'default', 'createdAt', 'createdBy', 'roles', 'permissions'],
    additionalProperties: false,
    properties: {
      id: courseIdSchema,
      title: { type: 'string' },
      timeZone: { type: 'string', description: 'IANA zone of the course (the service’s when the course sets none).' },
      groups,
      capture: {
        type: 'object',
        required: ['folder', 'exclude', 'includeHidden'],
        additionalProperties: false,
        properties: {
          folder: { type: ['string', 'null'], description: 'The folder of each home the course captures; null: the whole home.' },
          exclude: { type: 'array', items: { type: 'string' } },
          includeHidden: { type: 'boolean', description: 'Whether snapshots take hidden files when a request does not say.' },
        },
        description: 'What each snapshot of the course takes of a student’s home.',
      },
      default: { type: 'boolean', description: 'The course the settings name, which the routes outside /courses/{course} serve.' },
      createdAt: time,
      createdBy: { type: ['string', 'null'] },
      roles: { ...roles, description: 'The caller’s roles in the course.' },
      permissions: { type: 'array', items: { type: 'string' }, description: 'Operation ids the caller may use in the course.' },
    },
  },
  MyCourse: {
    type: 'object',
    required: ['id', 'title', 'roles', 'default'],
    additionalProperties: false,
    properties: { id: { type: 'string' }, title: { type: 'string' }, roles, default: { type: 'boolean' } },
  },
  RosterEntry: {
    type: 'object',
    required: ['user', 'roles', 'sources'],
    additionalProperties: false,
    properties: {
      user: { type: 'string' },
      roles,
      sources: {
        type: 'array',
        items: {
          oneOf: [
            {
              type: 'object',
              required: ['role', 'from', 'group'],
              additionalProperties: false,
              properties: { role, from: { const: 'group' }, group: { type: 'string' } },
            },
            {
              type: 'object',
              required: ['role', 'from', 'addedBy', 'addedAt'],
              additionalProperties: false,
              properties: { role, from: { const: 'coursework' }, addedBy: { type: 'string' }, addedAt: time },
            },
          ],
        },
        description: 'Where each role comes from: a Hub group of the course, or the roster Coursework keeps.',
      },
    },
  },
  RosterRowResult: {
    type: 'object',
    required: ['row', 'user', 'role', 'status'],
    additionalProperties: false,
    properties: {
      row: { type: 'integer', description: 'The row’s number, from 1 (in CSV, the header is row 1).' },
      user: { type: ['string', 'null'] },
      role: { oneOf: [{ type: 'null' }, role] },
      status: { enum: ['added', 'updated', 'unchanged', 'error'] },
      message: { type: 'string', description: 'Why the row changed nothing (status `error`).' },
    },
  },
} as const;

const userParameter = { name: 'user', in: 'path', required: true, schema: { type: 'string' } };
const courseErrors = {
  '404': errorResponse('No such course.'),
  '410': errorResponse('The course was deleted.'),
  ...authErrors,
};
const courseBody = (required: string[]) => ({
  required: true,
  content: json({
    type: 'object',
    required,
    additionalProperties: false,
    properties: {
      id: courseIdSchema,
      title: { type: 'string', maxLength: 200 },
      timeZone: { type: ['string', 'null'] },
      groups: {
        type: 'object',
        additionalProperties: false,
        properties: { instructors: { type: 'string' }, graders: { type: 'string' }, students: { type: 'string' } },
        description: 'Named groups; those left out follow the service’s patterns (`{course}-instructors`, ...).',
      },
      capture: {
        type: 'object',
        additionalProperties: false,
        properties: {
          folder: { type: ['string', 'null'], description: 'One folder of the home (`{course}`: the course’s id); null: the whole home.' },
          exclude: { type: ['array', 'null'], items: { type: 'string' }, description: 'Glob patterns; null: COURSEWORK_EXCLUDE.' },
          includeHidden: { type: ['boolean', 'null'] },
        },
      },
    },
  }),
});

export const coursePaths = {
  '/api/v1/courses': {
    get: {
      operationId: 'listCourses',
      summary: 'The courses the caller has a role in (course admins: every course), with those roles.',
      responses: { '200': { description: 'Courses', content: json({ type: 'array', items: ref('Course') }) }, ...authErrors },
    },
    post: {
      operationId: 'createCourse',
      summary: 'Creates a course (Hub admins and holders of custom:coursework:admin); its creator becomes its instructor.',
      requestBody: courseBody(['id']),
      responses: {
        '201': { description: 'The course', content: json(ref('Course')) },
        '400': errorResponse('Bad id, title, time zone or group.'),
        '409': errorResponse('The id is taken (by a course, or a deleted one).'),
        ...authErrors,
      },
    },
  },
  '/api/v1/courses/{course}': {
    get: {
      parameters: [courseParameter],
      operationId: 'getCourse',
      summary: 'A course the caller has a role in.',
      responses: { '200': { description: 'The course', content: json(ref('Course')) }, ...courseErrors },
    },
    patch: {
      parameters: [courseParameter],
      operationId: 'updateCourse',
      summary: 'Changes a course’s title, time zone or groups (the default course’s title and groups come from the settings).',
      requestBody: courseBody([]),
      responses: {
        '200': { description: 'The course', content: json(ref('Course')) },
        '400': errorResponse('Bad field.'),
        ...courseErrors,
      },
    },
    delete: {
      operationId: 'deleteCourse',
      summary:
        'Deletes a course: refused while it holds snapshots, feedback, assignments or a roster unless `confirm` is its id. It answers 410 from then on; its stored files are collected once nothing refers to them.',
      parameters: [
        courseParameter,
        { name: 'confirm', in: 'query', schema: { type: 'string' }, description: 'The course’s id, to delete one that holds data.' },
      ],
      responses: {
        '204': { description: 'Deleted' },
        '409': errorResponse('The course holds data and `confirm` was not its id, or it is the default course.'),
        ...courseErrors,
      },
    },
  },
  '/api/v1/courses/{course}/roster': {
    get: {
      parameters: [courseParameter],
      operationId: 'listRoster',
      summary:
        'Everyone with a role in the course: the members of its Hub groups and of the roster Coursework keeps, each saying where from.',
      responses: { '200': { description: 'The roster', content: json({ type: 'array', items: ref('RosterEntry') }) }, ...courseErrors },
    },
    post: {
      parameters: [courseParameter],
      operationId: 'addRosterMembers',
      summary:
        'Adds or changes many members of the roster Coursework keeps: CSV (`user[,role]` per line, an optional header) or JSON. Every row gets a status; a row that fails changes nothing and says why.',
      requestBody: {
        required: true,
        content: {
          'text/csv': { schema: { type: 'string' } },
          'application/json': {
            schema: {
              type: 'object',
              required: ['members'],
              properties: {
                members: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['user'],
                    properties: { user: { type: 'string' }, role: { ...role, default: 'student' } },
                  },
                },
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'A status for every row',
          content: json({
            type: 'object',
            required: ['added', 'updated', 'unchanged', 'failed', 'rows'],
            additionalProperties: false,
            properties: {
              added: { type: 'integer' },
              updated: { type: 'integer' },
              unchanged: { type: 'integer' },
              failed: { type: 'integer' },
              rows: { type: 'array', items: ref('RosterRowResult') },
            },
          }),
        },
        '400': errorResponse('Neither CSV nor a list of members, or too many rows.'),
        ...courseErrors,
      },
    },
  },
  '/api/v1/courses/{course}/roster/{user}': {
    put: {
      parameters: [courseParameter, userParameter],
      operationId: 'putRosterMember',
      summary: 'Adds a user (who need not have logged in yet) to the roster Coursework keeps, or changes their role.',
      requestBody: { required: true, content: json({ type: 'object', properties: { role: { ...role, default: 'student' } } }) },
      responses: {
        '200': { description: 'Changed (or already so)', content: json(ref('RosterEntry')) },
        '201': { description: 'Added', content: json(ref('RosterEntry')) },
        '400': errorResponse('Not a Hub user name, or not a role.'),
        ...courseErrors,
      },
    },
    delete: {
      parameters: [courseParameter, userParameter],
      operationId: 'removeRosterMember',
      summary: 'Removes a user from the roster Coursework keeps (members of the course’s Hub groups are removed on the Hub).',
      responses: {
        '204': { description: 'Removed' },
        ...courseErrors,
        '404': errorResponse('No such course, or the user is not on the roster kept here.'),
      },
    },
  },
} as const;
