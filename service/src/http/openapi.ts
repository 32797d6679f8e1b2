/**
 * The OpenAPI 3.1 contract of the service. Paths are relative to the service prefix (the `servers` entry).
 * A test keeps it in step with the router, and the integration tests validate real answers against its schemas.
 */

const error = {
  type: 'object',
  required: ['status', 'message'],
  properties: { status: { type: 'integer' }, message: { type: 'string' } },
} as const;

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const paginationEnvelope = (itemRef: string) => ({
  type: 'object',
  required: ['items', '_pagination'],
  properties: {
    items: { type: 'array', items: { $ref: itemRef } },
    _pagination: { $ref: '#/components/schemas/Pagination' },
  },
});

const pageParameters = [
  { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, default: 0 } },
  {
    name: 'limit',
    in: 'query',
    description: 'Items per page; 0 or absent means the default, more than the maximum is capped.',
    schema: { type: 'integer', minimum: 0 },
  },
];

const authErrors = {
  '401': errorResponse('No token, or a token the Hub does not accept.'),
  '403': errorResponse('The token lacks access to the service, or the caller lacks the role.'),
  '503': errorResponse('JupyterHub is unreachable and the token is not cached.'),
};

export function openApiDocument(servicePrefix: string) {
  return {
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
        Health: {
          type: 'object',
          required: ['status', 'version'],
          properties: { status: { const: 'ok' }, version: { type: 'string' } },
        },
        Me: {
          type: 'object',
          required: ['name', 'kind', 'admin', 'groups', 'roles', 'permissions', 'course'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            kind: { enum: ['user', 'service'] },
            admin: { type: 'boolean' },
            groups: { type: 'array', items: { type: 'string' } },
            roles: { type: 'array', items: { enum: ['instructor', 'student'] } },
            permissions: { type: 'array', items: { type: 'string' }, description: 'Operation ids the caller may use.' },
            course: {
              type: 'object',
              required: ['id', 'title'],
              additionalProperties: false,
              properties: { id: { type: 'string' }, title: { type: 'string' } },
            },
          },
        },
        Student: {
          type: 'object',
          required: ['name', 'homeExists'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            homeExists: { type: 'boolean', description: 'Whether the home directory exists (as a real directory).' },
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
          summary: 'The caller, their roles in the course and what they may do.',
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
            '200': {
              description: 'A page of students; the envelope form when asked for with Accept.',
              content: {
                'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Student' } } },
                'application/jupyterhub-pagination+json': { schema: paginationEnvelope('#/components/schemas/Student') },
              },
            },
            '400': errorResponse('Bad offset or limit.'),
            ...authErrors,
          },
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
