/** Pieces shared by the OpenAPI document's sections. */
import { COURSE_ID } from '../../names';
import { PAGINATION_MEDIA_TYPE } from '../pagination';

export const error = {
  type: 'object',
  required: ['status', 'message'],
  properties: { status: { type: 'integer' }, message: { type: 'string' } },
} as const;

export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * The 200 answer of a paginated list of `schema` items: a bare array, or JupyterHub's pagination envelope when the
 * client asks for it with Accept (see pagination.ts).
 */
export const pageResponse = (description: string, schema: string) => {
  const item = { $ref: `#/components/schemas/${schema}` };
  return {
    description,
    content: {
      'application/json': { schema: { type: 'array', items: item } },
      [PAGINATION_MEDIA_TYPE]: {
        schema: {
          type: 'object',
          required: ['items', '_pagination'],
          properties: { items: { type: 'array', items: item }, _pagination: { $ref: '#/components/schemas/Pagination' } },
        },
      },
    },
  };
};

export const pageParameters = [
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
  {
    name: 'limit',
    in: 'query',
    description: 'Items per page; 0 or absent means the default, more than the maximum is capped.',
    schema: { type: 'integer', minimum: 0 },
  },
];

/** A course id, by the rule names.ts checks. */
export const courseIdSchema = { type: 'string', pattern: COURSE_ID.source };
export const courseParameter = { name: 'course', in: 'path', required: true, schema: courseIdSchema };

export const studentParameter = { name: 'student', in: 'path', required: true, schema: { type: 'string' } };
export const authErrors = {
  '401': errorResponse('No token, or a token the Hub does not accept.'),
  '403': errorResponse('The token lacks access to the service, or the caller lacks the role.'),
  '503': errorResponse('JupyterHub is unreachable and the token is not cached.'),
};

/** A file the catalog lists whose stored bytes are damaged or missing: refused before any byte is sent. */
export const damagedError = {
  '500': errorResponse('The stored copy of the file is damaged or missing; `coursework check` repairs it where the home still has it.'),
};

/** Expensive work one caller already has enough of under way: refused with `Retry-After`, never piled up. */
export const busyError = (what: string) => ({
  '429': {
    ...errorResponse(`${what} (the limit is a setting); \`Retry-After\` says when to ask again.`),
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait before asking again.' } },
  },
});

/** Work that stores bytes is refused with 507 when the data disk is full or below its free-space floor. */
export const storageErrors = {
  '507': errorResponse('The data disk is full or below COURSEWORK_MIN_FREE_SPACE; nothing was saved.'),
};
