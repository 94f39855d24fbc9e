import { z } from 'zod';
import type { Endpoint } from './endpoints.ts';
import { errorSchema } from './schemas.ts';

// The OpenAPI 3.1 document, generated from the same zod schemas that validate the requests and
// describe the responses, so the document cannot drift from the code.

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

function parameters(schema: z.ZodObject | undefined, where: 'query' | 'path'): JsonSchema[] {
  if (schema === undefined) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const s = field as z.ZodType;
    const { description, ...rest } = jsonSchema(s, 'input');
    return {
      name,
      in: where,
      required: where === 'path' || !s.safeParse(undefined).success,
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The API as an OpenAPI 3.1 document. */
export function buildOpenApi(endpoints: readonly Endpoint[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints) {
    paths[e.path] ??= {};
    paths[e.path]![e.method.toLowerCase()] = {
      operationId: e.fn.replace(/^api-/, '').replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
      summary: e.summary,
      parameters: [...parameters(e.pathSchema, 'path'), ...parameters(e.querySchema, 'query')],
      responses: {
        '200': {
          description: 'OK',
          headers: { 'Cache-Control': { schema: { type: 'string', example: e.cacheControl } } },
          content:
            e.representation === undefined
              ? { 'application/json': { schema: jsonSchema(e.responseSchema, 'output') } }
              : {
                  [e.representation.contentType.split(';')[0]!]: {
                    schema: { type: 'string', description: e.summary },
                  },
                },
        },
        ...(e.querySchema || e.pathSchema
          ? { '400': errorResponse('A parameter is wrong; `parameter` names it.') }
          : {}),
        ...(e.pathSchema ? { '404': errorResponse('No such case.') } : {}),
        '500': errorResponse('Internal error; quote `requestId`.'),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'IMR Atlas API',
      version: '1.0.0',
      description:
        'California workers\u2019 compensation Independent Medical Review decisions: lookups and ' +
        'statistics. Public data; not legal or medical advice.',
    },
    paths,
    components: { schemas: { Error: jsonSchema(errorSchema, 'output') } },
  };
}
