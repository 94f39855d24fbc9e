import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

// Code of the CloudFront Functions (cloudfront-js-2.0), kept as plain JavaScript strings so the
// tests can run exactly what is deployed against sample requests.

/** CloudFront's limit on a function's code, in bytes. */
export const FUNCTION_MAX_BYTES = 10_240;

/** The designed not-found page in the built site. */
export const NOT_FOUND_PAGE = '/404.html';

/**
 * The not-found pages of the site's other languages, by the path prefix they answer: the Spanish
 * site is under /es (web/src/lib/i18n), with its own es/404.html.
 */
export const NOT_FOUND_PAGES_BY_PREFIX: Readonly<Record<string, string>> = {
  '/es/': '/es/404.html',
};

/**
 * The site's files as CloudFront Functions see their paths (`/about.html`), except those under
 * `_app/immutable/`, which their own behaviour serves without a function.
 */
export function siteFiles(siteDir: string): string[] {
  return readdirSync(siteDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map(
      (entry) => `/${relative(siteDir, join(entry.parentPath, entry.name)).split(sep).join('/')}`,
    )
    .filter((path) => !path.startsWith('/_app/immutable/'))
    .sort();
}

// Shared by both site functions: the files, and the file a clean URL is served from.
function siteLookup(files: readonly string[]): string {
  const known = Object.fromEntries(files.map((f) => [f, 1]));
  return `var FILES = ${JSON.stringify(known)};
function fileOf(uri) {
  if (uri === '/' || uri === '') return '/index.html';
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  return last.indexOf('.') === -1 ? uri + '.html' : uri;
}
`;
}

function checkSize(code: string): string {
  const bytes = Buffer.byteLength(code);
  if (bytes > FUNCTION_MAX_BYTES) {
    throw new Error(
      `a site CloudFront Function would be ${bytes} bytes, over CloudFront's ${FUNCTION_MAX_BYTES}`,
    );
  }
  return code;
}

/**
 * Viewer request of the site: the prerendered pages are `about.html` and so on, with no SPA
 * fallback, so a clean URL is mapped to its file. `/` → `/index.html`, `/about` → `/about.html`;
 * anything with an extension (assets) is left alone. A path that is no file of the site is
 * mapped to the designed not-found page (when the site has one; under /es/, the Spanish one),
 * which siteStatusCode then
 * answers with 404: CloudFront's custom error responses would do the same for every behaviour,
 * the API's own 404s included, and a function does not run on an origin's 404 at all. `/about/`
 * is redirected to `/about` rather than served. The query string goes along (values as
 * CloudFront received them, still encoded).
 */
export function siteRewriteCode(files: readonly string[]): string {
  const notFound = files.includes(NOT_FOUND_PAGE) ? `'${NOT_FOUND_PAGE}'` : 'null';
  const byPrefix = Object.fromEntries(
    Object.entries(NOT_FOUND_PAGES_BY_PREFIX).filter(([, page]) => files.includes(page)),
  );
  return checkSize(`${siteLookup(files)}var NOT_FOUND = ${notFound};
var NOT_FOUND_UNDER = ${JSON.stringify(byPrefix)};
function notFoundOf(uri) {
  for (var prefix in NOT_FOUND_UNDER) {
    if (uri.indexOf(prefix) === 0) return NOT_FOUND_UNDER[prefix];
  }
  return NOT_FOUND;
}
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.length > 1 && uri.charAt(uri.length - 1) === '/') {
    // Leading slashes collapsed too: '//other.example/' must not become '//other.example'.
    var location = '/' + uri.replace(/^\\/+|\\/+$/g, '');
    var query = [];
    var qs = request.querystring || {};
    for (var name in qs) {
      var values = qs[name].multiValue || [qs[name]];
      for (var i = 0; i < values.length; i++) {
        query.push(values[i].value === '' ? name : name + '=' + values[i].value);
      }
    }
    if (query.length > 0) location += '?' + query.join('&');
    return {
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: location } },
    };
  }
  var file = fileOf(uri);
  if (FILES[file] === 1 || NOT_FOUND === null) {
    request.uri = file;
    return request;
  }
  request.uri = notFoundOf(uri);
  // The not-found page whole, for the viewer-response function to answer 404: a range or a
  // conditional request would come back 206 or 304, a success.
  var headers = request.headers || {};
  delete headers['range'];
  delete headers['if-range'];
  delete headers['if-none-match'];
  delete headers['if-modified-since'];
  return request;
}`);
}

/**
 * Viewer response of the site: the not-found page, served in place of a missing file (or asked
 * for by name), answers 404 rather than S3's 200. Whether CloudFront shows this function the
 * request's path as the viewer sent it or as siteRewriteCode left it, the answer is the same.
 */
export function siteStatusCode(files: readonly string[]): string {
  const pages = [NOT_FOUND_PAGE, ...Object.values(NOT_FOUND_PAGES_BY_PREFIX)];
  const notFound = Object.fromEntries(pages.map((p) => [p, 1]));
  return checkSize(`${siteLookup(files)}var NOT_FOUND_PAGES = ${JSON.stringify(notFound)};
function handler(event) {
  var response = event.response;
  var file = fileOf(event.request.uri);
  if (response.statusCode === 200 && (NOT_FOUND_PAGES[file] === 1 || FILES[file] !== 1)) {
    response.statusCode = 404;
    response.statusDescription = 'Not Found';
  }
  return response;
}`);
}

/**
 * Viewer request under `/exports/`: the bucket's keys have no such prefix, and only the published
 * files are served (never `jobs/`); the bucket policy says the same.
 */
export const EXPORTS_REWRITE_CODE = `function handler(event) {
  var request = event.request;
  var key = request.uri.substring('/exports/'.length);
  if (key === 'latest.json' || (key.indexOf('snapshots/') === 0 && key.indexOf('..') === -1)) {
    request.uri = '/' + key;
    return request;
  }
  // The exports page, asked for with a trailing slash as the site's other pages may be.
  if (key === '') {
    return {
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: '/exports' } },
    };
  }
  return { statusCode: 404, statusDescription: 'Not Found' };
}`;
