/** Checks real answers against the response schemas of the service's own OpenAPI document. */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../src/http/openapi/document';

const document = openApiDocument('/services/coursework/');
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ $id: 'openapi', components: document.components }, 'openapi');

type Operations = Record<string, { operationId: string; responses: Record<string, { content?: Record<string, { schema?: object }> }> }>;

function responseSchema(operationId: string, status: number, mediaType: string): object | undefined {
  for (const item of Object.values(document.paths) as Operations[]) {
    for (const operation of Object.values(item)) {
      if (operation.operationId !== operationId) continue;
      const response = operation.responses[String(status)];
      if (!response) throw new Error(`${operationId} documents no ${status} answer`);
      return response.content?.[mediaType]?.schema;
    }
  }
  throw new Error(`no operation ${operationId} in the OpenAPI document`);
}

/** Throws with ajv's report when `body` does not match what the document promises. */
export function expectMatchesContract(operationId: string, status: number, body: unknown, mediaType = 'application/json'): void {
  const schema = responseSchema(operationId, status, mediaType);
  if (!schema) throw new Error(`${operationId} ${status} has no schema for ${mediaType}`);
  // Rewrite local refs to point into the registered components.
  const rooted = JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"openapi#/components/')) as object;
  const validate = ajv.compile(rooted);
  if (!validate(body)) {
    throw new Error(`${operationId} ${status} does not match its contract: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`);
  }
}
