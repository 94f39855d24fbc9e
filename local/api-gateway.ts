import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createApiHandler, type ApiHandler } from '../functions/http/api-gateway.ts';
import { type ApiDeps, ENDPOINTS, type EndpointName } from '../shared/api/index.ts';

// API Gateway's part, locally: each HTTP request under /api becomes the payload-2.0 event API
// Gateway would send, for the same handler the Lambda function runs.

interface Route {
  fn: EndpointName;
  routeKey: string;
  pattern: RegExp;
  names: string[];
}

const ROUTES: Route[] = ENDPOINTS.map((e) => {
  const names: string[] = [];
  const source = e.path
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  return { fn: e.fn, routeKey: `${e.method} ${e.path}`, pattern: new RegExp(`^${source}$`), names };
});

/** The API Gateway v2 event for a request, or null when no route matches its path. */
export function apiGatewayEvent(
  method: string,
  url: URL,
  headers: Record<string, string>,
): { fn: EndpointName; event: APIGatewayProxyEventV2 } | null {
  for (const route of ROUTES) {
    const m = route.pattern.exec(url.pathname);
    if (m === null) continue;
    const pathParameters: Record<string, string> = {};
    route.names.forEach((name, i) => {
      // API Gateway decodes path parameters; a malformed escape is kept as sent, so the
      // parameter's own validation refuses it with a 400 that names it.
      const raw = m[i + 1]!;
      try {
        pathParameters[name] = decodeURIComponent(raw);
      } catch {
        pathParameters[name] = raw;
      }
    });
    // API Gateway joins repeated query parameters with commas. A Map, so that names such as
    // "__proto__" or "constructor" are parameters like any other.
    const joined = new Map<string, string>();
    for (const [k, v] of url.searchParams) {
      const prior = joined.get(k);
      joined.set(k, prior === undefined ? v : `${prior},${v}`);
    }
    const query = Object.fromEntries(joined);
    const now = new Date();
    return {
      fn: route.fn,
      event: {
        version: '2.0',
        routeKey: route.routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ''),
        headers,
        ...(joined.size > 0 ? { queryStringParameters: query } : {}),
        ...(route.names.length > 0 ? { pathParameters } : {}),
        isBase64Encoded: false,
        requestContext: {
          accountId: 'local',
          apiId: 'local',
          domainName: url.host,
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey: route.routeKey,
          stage: '$default',
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
        },
      },
    };
  }
  return null;
}

/** Serves /api/* requests through the API handlers; resolves false for other paths. */
export function createLocalApi(
  deps: ApiDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const handlers = new Map<EndpointName, ApiHandler>();
  return async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return false;
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(
        405,
        { error: 'method-not-allowed', message: 'the API is read-only: use GET' },
        { allow: 'GET, HEAD' },
      );
      return true;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
    }
    const matched = apiGatewayEvent('GET', url, headers);
    if (matched === null) {
      send(404, {
        error: 'not-found',
        message: `no such endpoint: ${url.pathname} (see /api/openapi.json)`,
      });
      return true;
    }
    let handler = handlers.get(matched.fn);
    if (handler === undefined)
      handlers.set(matched.fn, (handler = createApiHandler(matched.fn, deps)));
    const result = await handler(matched.event);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.headers ?? {})) out[k] = String(v);
    res.writeHead(result.statusCode ?? 200, out);
    res.end(req.method === 'HEAD' ? undefined : result.body);
    return true;
  };
}
