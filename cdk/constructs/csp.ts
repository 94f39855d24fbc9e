import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The site's Content-Security-Policy. SvelteKit's prerendered pages start the app with an inline
// script; rather than allowing every inline script ('unsafe-inline'), the policy lists the
// SHA-256 of each inline script found in the built site, so only those run.

/** CloudFront's limit on a response headers policy's CSP value. */
export const CSP_MAX_LENGTH = 1783;

const INLINE_SCRIPT = /<script\b([^>]*)>([\s\S]*?)<\/script>/gi;

/** The distinct `'sha256-...'` sources of the executable inline scripts in the HTML files. */
export function inlineScriptHashes(siteDir: string): string[] {
  const hashes = new Set<string>();
  for (const file of htmlFiles(siteDir)) {
    for (const match of readFileSync(file, 'utf8').matchAll(INLINE_SCRIPT)) {
      const attributes = match[1] ?? '';
      const body = match[2] ?? '';
      if (/\bsrc\s*=/i.test(attributes) || body.length === 0) continue;
      // Data blocks (application/json) are never executed, so CSP does not govern them.
      const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(attributes)?.[1]?.toLowerCase();
      if (type !== undefined && type !== 'module' && !type.includes('javascript')) continue;
      hashes.add(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
    }
  }
  return [...hashes].sort();
}

/** The policy for a site built into `siteDir`. */
export function contentSecurityPolicy(siteDir: string): string {
  const policy = [
    "default-src 'self'",
    ["script-src 'self'", ...inlineScriptHashes(siteDir)].join(' '),
    // Svelte sets style attributes (transitions); a style cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    'upgrade-insecure-requests',
  ].join('; ');
  if (policy.length > CSP_MAX_LENGTH) {
    throw new Error(
      `the site's Content-Security-Policy is ${policy.length} characters, over CloudFront's ` +
        `${CSP_MAX_LENGTH}: too many distinct inline scripts in ${siteDir}`,
    );
  }
  return policy;
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.html'))
    .map((e) => join(e.parentPath, e.name));
}
