import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { createServer, type Server } from 'node:http';
import { createApiDeps, EXPORTS_PATH } from '../shared/api/index.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ExportBucket, LATEST_KEY, SNAPSHOTS_PREFIX } from '../shared/export/index.ts';
import type { Logger } from '../shared/logger.ts';
import { readTallies, ALL_VALUE } from '../shared/store/index.ts';
import { createLocalApi } from './api-gateway.ts';
import type { LocalStack } from './stack.ts';

// The HTTP front of `npm start` (and of the tests and benchmarks): the API under /api through
// the API Gateway adapter, the export files under /exports/ and the static site (web/build) on
// one origin, as CloudFront serves them on AWS.

/** Where `npm run build:web` writes the site. */
export const SITE_DIR = resolve(import.meta.dirname, '..', 'web', 'build');

export interface LocalServer {
  /** http://127.0.0.1:<port>/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the API and site for a running local stack on 127.0.0.1:`port` (0: any free port). */
export async function startLocalServer(
  stack: Pick<LocalStack, 'table'>,
  options: {
    port: number;
    logger: Logger;
    exports?: ExportBucket;
    /** The built site (default web/build; a status page instead when it is missing; null: none). */
    siteDir?: string | null;
  },
): Promise<LocalServer> {
  const exportsBucket = options.exports ?? null;
  const wantedSite = options.siteDir === undefined ? SITE_DIR : options.siteDir;
  const siteDir =
    wantedSite !== null && existsSync(join(wantedSite, 'index.html')) ? wantedSite : null;
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
      if (siteDir !== null && (await serveSite(siteDir, req, res))) return;
      if (siteDir === null && new URL(req.url ?? '/', 'http://x').pathname === '/') {
        const [total] = await readTallies(stack.table, [{ dimension: 'total', value: ALL_VALUE }]);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          `<!doctype html><html lang="en"><meta charset="utf-8"><title>IMR Atlas (local)</title>` +
            `<h1>IMR Atlas: local stack</h1><p>The site is not built: run <code>npm run ` +
            `build:web</code> and restart.</p><p>${(total?.upheld ?? 0) + (total?.overturned ?? 0)} ` +
            `disputed items ingested (${total?.upheld ?? 0} upheld, ${total?.overturned ?? 0} ` +
            `overturned).</p><p>API: <a href="/api/openapi.json">/api/openapi.json</a>, ` +
            `<a href="/api/stats?by=category">/api/stats?by=category</a>.</p></html>`,
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      // Without a build every page is missing, not only /: say why, as the status page does.
      res.end(
        siteDir === null && wantedSite !== null
          ? 'not found: the site is not built; run npm run build:web and restart\n'
          : 'not found\n',
      );
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

const SITE_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};
const IMMUTABLE = '/_app/immutable/';

/**
 * The prerendered site, mapped as CloudFront's viewer-request function maps it: `/` is
 * index.html, an extensionless `/x` is x.html, anything else the file itself. Hashed assets under
 * /_app/immutable/ may be kept a year; pages are revalidated. Unknown paths (and /404 itself)
 * are the not-found page with status 404, in Spanish under /es/.
 */
async function serveSite(
  root: string,
  req: IncomingMessage,
  res: ServerResponse<IncomingMessage>,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  } catch {
    path = '';
  }
  const file = sitePath(root, path);
  const found = file === null ? null : await stat(file).catch(() => null);
  // The not-found page is a 404 even when asked for by name, as on CloudFront.
  const notFound = notFoundPage(path);
  if (file === null || found === null || !found.isFile() || file === join(root, notFound)) {
    const page404 = await readFile(join(root, notFound)).catch(() => null);
    res.writeHead(404, {
      'content-type': page404 === null ? 'text/plain; charset=utf-8' : SITE_TYPES['.html']!,
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : (page404 ?? 'not found\n'));
    return true;
  }
  const body = await readFile(file);
  res.writeHead(200, {
    'content-type': SITE_TYPES[extname(file)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': path.startsWith(IMMUTABLE)
      ? 'public, max-age=31536000, immutable'
      : 'public, max-age=0, must-revalidate',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/** The not-found page for a path: the Spanish one under /es/ (the site's languages), else English. */
export function notFoundPage(path: string): string {
  return /^\/es(\/|$)/.test(path) ? 'es/404.html' : '404.html';
}

/** The file under `root` a URL path names, or null for a path that could leave it. */
export function sitePath(root: string, path: string): string | null {
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return null;
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return null;
  let relative = segments.join('/');
  if (relative === '') relative = 'index.html';
  else if (path.endsWith('/')) return null;
  else if (extname(relative) === '') relative += '.html';
  const file = resolve(root, relative);
  return file.startsWith(root + sep) ? file : null;
}
