import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createApiDeps } from '../shared/api/deps.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXPORTS_PATH } from '../shared/api/exports.ts';
import type { ExportBucket } from '../shared/export/bucket.ts';
import { LATEST_KEY, SNAPSHOTS_PREFIX } from '../shared/export/snapshots.ts';
import type { Logger } from '../shared/logger.ts';
import { readTallies } from '../shared/store/queries.ts';
import { ALL_VALUE } from '../shared/store/keys.ts';
import { createLocalApi } from './api-gateway.ts';
import type { LocalStack } from './stack.ts';

// The HTTP front of `npm start` (and of the tests and benchmarks): the API under /api through
// the API Gateway adapter, and the site (until the site issue, a status page) on one origin, as
// CloudFront serves them on AWS.

export interface LocalServer {
  /** http://127.0.0.1:<port>/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the API and site for a running local stack on 127.0.0.1:`port` (0: any free port). */
export async function startLocalServer(
  stack: Pick<LocalStack, 'table'>,
  options: { port: number; logger: Logger; exports?: ExportBucket },
): Promise<LocalServer> {
  const exportsBucket = options.exports ?? null;
  const deps = createApiDeps({
    table: stack.table,
    exports: exportsBucket,
    // Cursors from before a restart are refused with a clear 400, which is all a client needs.
    cursorSecret: randomBytes(32).toString('hex'),
    logger: options.logger,
  });
  const api = createLocalApi(deps);
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (await api(req, res)) return;
      if (exportsBucket !== null && (await serveExport(exportsBucket, req.url ?? '/', res))) return;
      if (req.url === '/' || req.url === '/index.html') {
        const [total] = await readTallies(stack.table, [{ dimension: 'total', value: ALL_VALUE }]);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><html lang="en"><meta charset="utf-8"><title>IMR Atlas (local)</title>` +
            `<h1>IMR Atlas: local stack</h1><p>${(total?.upheld ?? 0) + (total?.overturned ?? 0)} ` +
            `disputed items ingested (${total?.upheld ?? 0} upheld, ${total?.overturned ?? 0} ` +
            `overturned).</p><p>API: <a href="/api/openapi.json">/api/openapi.json</a>, ` +
            `<a href="/api/stats?by=category">/api/stats?by=category</a>.</p></html>`,
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found\n');
    })().catch((error: unknown) => {
      const requestId = randomUUID();
      options.logger.error('request failed', { requestId, url: req.url, error });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal', message: 'internal error', requestId }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/**
 * Export files under /exports/, as CloudFront serves them from the exports bucket on AWS: only
 * complete snapshots' files and latest.json, never the job state beside them.
 */
async function serveExport(
  bucket: ExportBucket,
  url: string,
  res: ServerResponse<IncomingMessage>,
): Promise<boolean> {
  const path = new URL(url, 'http://x').pathname;
  if (!path.startsWith(EXPORTS_PATH)) return false;
  let key: string;
  try {
    key = decodeURIComponent(path.slice(EXPORTS_PATH.length));
  } catch {
    key = '';
  }
  const allowed = (key.startsWith(SNAPSHOTS_PREFIX) && !key.includes('..')) || key === LATEST_KEY;
  const object = allowed ? await bucket.get(key) : null;
  if (object === null) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('no such export file\n');
    return true;
  }
  const extension = key.slice(key.lastIndexOf('.') + 1);
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
    'cache-control': 'public, max-age=300',
    ...(extension === 'json'
      ? {}
      : { 'content-disposition': `attachment; filename="${key.slice(key.lastIndexOf('/') + 1)}"` }),
  });
  res.end(object.body);
  return true;
}
