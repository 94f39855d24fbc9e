// Code of the CloudFront Functions (cloudfront-js-2.0), kept as plain JavaScript strings so the
// tests can run exactly what is deployed against sample requests.

/**
 * Viewer request of the site: the prerendered pages are `about.html` and so on, with no SPA
 * fallback, so a clean URL is mapped to its file. `/` → `/index.html`, `/about` → `/about.html`;
 * anything with an extension (assets) is left alone. `/about/` is redirected to `/about` rather
 * than served: the pages load their scripts and styles by relative paths (`./_app/...`), which
 * from `/about/` would resolve to `/about/_app/...` and leave the page without them. The query
 * string goes along (values as CloudFront received them, still encoded).
 */
export const SITE_REWRITE_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri === '/' || uri === '') {
    request.uri = '/index.html';
    return request;
  }
  if (uri.charAt(uri.length - 1) === '/') {
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
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) request.uri = uri + '.html';
  return request;
}`;

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
  return { statusCode: 404, statusDescription: 'Not Found' };
}`;
