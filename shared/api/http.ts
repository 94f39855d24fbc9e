import { BadRequestError, NotFoundError } from '../errors.ts';
import type { ApiDeps } from './deps.ts';
import { CACHE, type ApiRequest, type Endpoint } from './endpoints.ts';

// The one place where outcomes become HTTP: a result is 200 with the endpoint's caching, a named
// error its status, anything else a 500 that says nothing but a request id to quote.

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function json(statusCode: number, cacheControl: string, body: unknown): ApiResponse {
  return {
    statusCode,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': cacheControl,
      'x-content-type-options': 'nosniff',
    },
    body: JSON.stringify(body),
  };
}

/** Runs an endpoint for one request and maps its outcome to an HTTP response. */
export async function respond(
  endpoint: Endpoint,
  deps: ApiDeps,
  request: ApiRequest & { requestId: string },
): Promise<ApiResponse> {
  const { requestId } = request;
  try {
    const result = await endpoint.run(deps, request);
    const { representation } = endpoint;
    if (representation === undefined) return json(200, endpoint.cacheControl, result);
    return {
      statusCode: 200,
      headers: {
        'content-type': representation.contentType,
        'cache-control': endpoint.cacheControl,
        'x-content-type-options': 'nosniff',
      },
      body: representation.render(result),
    };
  } catch (error) {
    if (error instanceof BadRequestError) {
      return json(400, CACHE.none, {
        error: 'bad-request',
        message: error.message,
        parameter: error.parameter,
        requestId,
      });
    }
    if (error instanceof NotFoundError) {
      // Briefly, like the lookup itself: the letter may be ingested in a minute.
      return json(404, CACHE.lookup, { error: 'not-found', message: error.message, requestId });
    }
    deps.logger.error('request failed', { endpoint: endpoint.fn, requestId, error });
    return json(500, CACHE.none, { error: 'internal', message: 'internal error', requestId });
  }
}
