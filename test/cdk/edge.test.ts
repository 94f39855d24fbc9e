import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { zodEnglishOnly } from '../../cdk/bundling/esbuild.ts';
import { parseDeployment } from '../../cdk/config.ts';
import {
  CSP_MAX_LENGTH,
  contentSecurityPolicy,
  inlineScriptHashes,
} from '../../cdk/constructs/csp.ts';
import {
  EXPORTS_REWRITE_CODE,
  FUNCTION_MAX_BYTES,
  siteFiles,
  siteRewriteCode,
  siteStatusCode,
} from '../../cdk/constructs/edge-functions.ts';

// The parts of the deployment that run or decide something on their own, without a synthesis:
// the CloudFront Functions (evaluated here exactly as deployed), the CSP, the context schema and
// the bundler's zod plugin.

interface CfRequest {
  uri: string;
  querystring?: Record<string, { value: string; multiValue?: { value: string }[] }>;
  headers?: Record<string, { value: string }>;
}
interface CfResponse {
  statusCode: number;
  statusDescription?: string;
  headers?: Record<string, { value: string }>;
}
type CfHandler = (event: { request: CfRequest; response?: CfResponse }) => CfRequest | CfResponse;

function load(code: string): CfHandler {
  return new Function(`${code}\nreturn handler;`)() as CfHandler;
}

/** The files of a built site, as siteFiles lists them. */
const FILES = [
  '/404.html',
  '/_app/version.json',
  '/about.html',
  '/check.html',
  '/determination.html',
  '/es.html',
  '/es/404.html',
  '/es/statistics.html',
  '/favicon.svg',
  '/index.html',
  '/statistics.html',
];
const SITE_REWRITE_CODE = siteRewriteCode(FILES);
const SITE_STATUS_CODE = siteStatusCode(FILES);

describe('site viewer-request function', () => {
  const handler = load(SITE_REWRITE_CODE);
  const rewrite = (uri: string) => (handler({ request: { uri } }) as CfRequest).uri;

  it('maps clean URLs to the prerendered pages', () => {
    expect(rewrite('/')).toBe('/index.html');
    expect(rewrite('/statistics')).toBe('/statistics.html');
    expect(rewrite('/check')).toBe('/check.html');
    expect(rewrite('/determination')).toBe('/determination.html');
    // The Spanish pages, prerendered under es/.
    expect(rewrite('/es')).toBe('/es.html');
    expect(rewrite('/es/statistics')).toBe('/es/statistics.html');
  });

  // The pages load ./_app/... relatively: served at /about/, they would look for /about/_app/.
  it('redirects a trailing slash to the clean URL instead of serving a page that cannot load its assets', () => {
    const location = (request: CfRequest) => {
      const out = handler({ request }) as CfResponse;
      expect(out.statusCode, request.uri).toBe(301);
      return out.headers!.location!.value;
    };
    expect(location({ uri: '/about/' })).toBe('/about');
    expect(location({ uri: '/es/' })).toBe('/es');
    expect(location({ uri: '/statistics//' })).toBe('/statistics');
    expect(
      location({
        uri: '/determination/',
        querystring: {
          case: { value: 'CM16-0213037' },
          by: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] },
          flag: { value: '' },
        },
      }),
    ).toBe('/determination?case=CM16-0213037&by=a&by=b&flag');
    // Never an open redirect: a protocol-relative location would leave the site.
    expect(location({ uri: '//evil.example/' })).toBe('/evil.example');
  });

  it('is plain ES5.1 as cloudfront-js-2.0 runs it: no modules, no arrows, no let/const', () => {
    for (const code of [SITE_REWRITE_CODE, SITE_STATUS_CODE, EXPORTS_REWRITE_CODE]) {
      expect(code).toMatch(/^function handler\(event\) \{|\nfunction handler\(event\) \{/);
      expect(code).not.toMatch(/\b(import|export|let|const|class|async|await|require)\b|=>|`/);
    }
  });

  it('serves the not-found page for a path that is no file of the site', () => {
    for (const uri of ['/nope', '/determination/CM16-0213037', '/about.htm', '/x/y/z.png']) {
      expect(rewrite(uri), uri).toBe('/404.html');
    }
    // Under /es/, the Spanish one; a path only beginning with "es" is not Spanish.
    for (const uri of ['/es/nope', '/es/determination/CM16-0213037', '/es/x.png']) {
      expect(rewrite(uri), uri).toBe('/es/404.html');
    }
    expect(rewrite('/estadisticas')).toBe('/404.html');
    // A build without the Spanish not-found page falls back to the English one.
    const english = load(siteRewriteCode(['/404.html', '/index.html']));
    expect((english({ request: { uri: '/es/nope' } }) as CfRequest).uri).toBe('/404.html');
    // Without a not-found page in the build, a missing file is left to the bucket (a bare 404).
    const bare = load(siteRewriteCode(['/index.html']));
    expect((bare({ request: { uri: '/nope' } }) as CfRequest).uri).toBe('/nope.html');
    expect((bare({ request: { uri: '/' } }) as CfRequest).uri).toBe('/index.html');
  });

  it('asks for the not-found page whole: no range or condition that would answer 206 or 304', () => {
    const conditional = {
      range: { value: 'bytes=0-10' },
      'if-range': { value: '"e"' },
      'if-none-match': { value: '"e"' },
      'if-modified-since': { value: 'Tue, 01 Dec 2026 00:00:00 GMT' },
      accept: { value: 'text/html' },
    };
    const missing = handler({
      request: { uri: '/nope', headers: { ...conditional } },
    }) as CfRequest;
    expect(missing.uri).toBe('/404.html');
    expect(Object.keys(missing.headers!)).toEqual(['accept']);
    // A page of the site keeps them: ranges and revalidation work as usual.
    const page = handler({
      request: { uri: '/about', headers: { ...conditional } },
    }) as CfRequest;
    expect(Object.keys(page.headers!).sort()).toEqual(Object.keys(conditional).sort());
  });

  it('stays within CloudFront\u2019s size limit, and fails the synthesis beyond it', () => {
    expect(Buffer.byteLength(SITE_REWRITE_CODE)).toBeLessThan(FUNCTION_MAX_BYTES);
    const many = Array.from({ length: 600 }, (_, i) => `/page-${i}.html`);
    expect(() => siteRewriteCode(many)).toThrow(String(FUNCTION_MAX_BYTES));
    expect(() => siteStatusCode(many)).toThrow(String(FUNCTION_MAX_BYTES));
  });

  it('leaves files alone', () => {
    for (const uri of ['/index.html', '/favicon.svg', '/_app/version.json', '/404.html']) {
      expect(rewrite(uri)).toBe(uri);
    }
  });
});

describe('site viewer-response function', () => {
  const handler = load(SITE_STATUS_CODE);
  const status = (uri: string, statusCode = 200) =>
    (handler({ request: { uri }, response: { statusCode, statusDescription: 'OK' } }) as CfResponse)
      .statusCode;

  it('answers the not-found page with 404, however CloudFront shows it the path', () => {
    // The path as the viewer sent it, or as the viewer-request function left it.
    expect(status('/nope')).toBe(404);
    expect(status('/determination/CM16-0213037')).toBe(404);
    expect(status('/404.html')).toBe(404);
    expect(status('/404')).toBe(404);
    expect(status('/es/nope')).toBe(404);
    expect(status('/es/404.html')).toBe(404);
    expect(status('/es/404')).toBe(404);
    const out = handler({ request: { uri: '/nope' }, response: { statusCode: 200 } }) as CfResponse;
    expect(out.statusDescription).toBe('Not Found');
  });

  it('leaves the pages and files of the site, and other statuses, alone', () => {
    for (const uri of ['/', '/index.html', '/about', '/about.html', '/favicon.svg', '/es']) {
      expect(status(uri), uri).toBe(200);
    }
    expect(status('/_app/version.json')).toBe(200);
    expect(status('/nope', 304)).toBe(304);
  });
});

describe('the site files the functions know', () => {
  it('are every file of the build but the immutable assets, as paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imr-site-files-'));
    mkdirSync(join(dir, '_app', 'immutable', 'chunks'), { recursive: true });
    mkdirSync(join(dir, 'es'));
    for (const f of ['index.html', '404.html', 'es/about.html', '_app/version.json']) {
      writeFileSync(join(dir, f), '');
    }
    writeFileSync(join(dir, '_app', 'immutable', 'chunks', 'a.js'), '');
    expect(siteFiles(dir)).toEqual([
      '/404.html',
      '/_app/version.json',
      '/es/about.html',
      '/index.html',
    ]);
  });
});

describe('exports viewer-request function', () => {
  const handler = load(EXPORTS_REWRITE_CODE);

  it('serves snapshots and latest.json from the bucket root', () => {
    expect(handler({ request: { uri: '/exports/latest.json' } })).toEqual({ uri: '/latest.json' });
    expect(
      handler({ request: { uri: '/exports/snapshots/2026-11-25T013000Z/items/2018.csv' } }),
    ).toEqual({ uri: '/snapshots/2026-11-25T013000Z/items/2018.csv' });
  });

  it('sends /exports/ to the exports page, as a trailing slash is on the site', () => {
    expect(handler({ request: { uri: '/exports/' } })).toEqual({
      statusCode: 301,
      statusDescription: 'Moved Permanently',
      headers: { location: { value: '/exports' } },
    });
  });

  it('refuses the job bookkeeping and anything else', () => {
    for (const uri of [
      '/exports/jobs/current.json',
      '/exports/jobs/lock.json',
      '/exports/latest.json.bak',
      '/exports/snapshots/../jobs/current.json',
    ]) {
      expect(handler({ request: { uri } }), uri).toEqual({
        statusCode: 404,
        statusDescription: 'Not Found',
      });
    }
  });
});

describe('content security policy', () => {
  const site = (pages: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'imr-csp-'));
    for (const [name, html] of Object.entries(pages)) writeFileSync(join(dir, name), html);
    return dir;
  };

  it('allows exactly the inline scripts the pages contain, by hash', () => {
    const dir = site({
      'index.html': '<script>boot(1)</script><script src="/a.js"></script>',
      'about.html': '<script type="module">boot(1)</script><script>boot(2)</script>',
      'data.html': '<script type="application/json">{"x":1}</script>',
    });
    const hashes = inlineScriptHashes(dir);
    expect(hashes).toHaveLength(2);
    const csp = contentSecurityPolicy(dir);
    expect(csp).toContain(`script-src 'self' ${hashes.join(' ')};`);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
  });

  it('fails the synthesis rather than exceed CloudFront’s limit', () => {
    const pages = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`p${i}.html`, `<script>boot(${i})</script>`]),
    );
    expect(() => contentSecurityPolicy(site(pages))).toThrow(String(CSP_MAX_LENGTH));
  });
});

describe('deployment context', () => {
  it('requires a stage, saying what each keeps, and has no organisations by default', () => {
    expect(() => parseDeployment({})).toThrow(
      /context\.stage: say which stage to deploy: -c stage=prod .* kept .* -c stage=dev .* deleted/,
    );
    expect(parseDeployment({ stage: 'dev' })).toEqual({ stage: 'dev', organisations: [] });
  });

  it('requires an external id of an organisation trusted by account, not by role', () => {
    const account = { id: 'acme', principal: 'arn:aws:iam::123456789012:root' };
    expect(() => parseDeployment({ stage: 'prod', organisations: [account] })).toThrow(
      /context\.organisations\.0\.externalId: required when the principal is an account/,
    );
    const role = { id: 'acme', principal: 'arn:aws:iam::123456789012:role/uploader' };
    expect(parseDeployment({ stage: 'prod', organisations: [role] }).organisations).toEqual([role]);
    expect(() =>
      parseDeployment({ stage: 'dev', organisations: [{ ...role, externalId: 'a b' }] }),
    ).toThrow(/externalId/);
  });

  it('takes the name of a restored table, and refuses what cannot be one', () => {
    expect(parseDeployment({ stage: 'prod', tableName: 'imr-atlas-restored-1' }).tableName).toBe(
      'imr-atlas-restored-1',
    );
    expect(() => parseDeployment({ stage: 'prod', tableName: 'a b' })).toThrow(
      /context\.tableName/,
    );
  });

  it('accepts organisations given on the command line as JSON', () => {
    const orgs = [
      { id: 'acme', principal: 'arn:aws:iam::123456789012:root', externalId: 'acme-7f3c' },
    ];
    expect(parseDeployment({ stage: 'prod', organisations: JSON.stringify(orgs) })).toEqual({
      stage: 'prod',
      organisations: orgs,
    });
  });

  it('names what is wrong', () => {
    expect(() => parseDeployment({ stage: 'production' })).toThrow(
      /context\.stage: must be "dev" or "prod"/,
    );
    expect(() =>
      parseDeployment({
        stage: 'dev',
        organisations: [{ id: 'a b', principal: 'arn:aws:iam::123456789012:root' }],
      }),
    ).toThrow(/context\.organisations\.0\.id/);
    expect(() =>
      parseDeployment({
        stage: 'dev',
        organisations: [{ id: 'acme', principal: 'arn:aws:iam::123456789012:root', extra: 1 }],
      }),
    ).toThrow(/extra/);
    expect(() => parseDeployment({ stage: 'dev', organisations: '[oops' })).toThrow(
      /not valid JSON/,
    );
  });
});

describe('bundling zod with English only', () => {
  it('keeps the configuration error messages', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'imr-zod-'));
    const entry = join(outdir, 'entry.ts');
    writeFileSync(
      entry,
      `import { loadApiConfig } from ${JSON.stringify(join(process.cwd(), 'shared/config.ts'))};\n` +
        'export function run() { try { loadApiConfig({ TABLE_NAME: "t", CURSOR_SECRET: "short" }); } catch (e) { return String(e); } }\n' +
        'import { z } from "zod"; export const locales = Object.keys(z.locales);\n',
    );
    const out = join(outdir, 'out.mjs');
    await build({
      entryPoints: [entry],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      absWorkingDir: process.cwd(),
      nodePaths: [join(process.cwd(), 'node_modules')],
      plugins: [zodEnglishOnly],
      logLevel: 'silent',
    });
    const mod = (await import(out)) as { run(): string; locales: string[] };
    expect(mod.run()).toBe(
      'ConfigError: invalid configuration: CURSOR_SECRET: Too small: expected string to have >=32 characters',
    );
    expect(mod.locales).toEqual(['en']);
  });
});
