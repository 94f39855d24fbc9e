import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

// `npm run build:web`: builds the site into web/build, then prints each page's first-load
// JavaScript (every script the page's HTML loads or preloads, and everything those import
// statically), gzipped, and fails when a page exceeds the budget.

export const WEB_DIR = resolve(import.meta.dirname, '..');
export const BUILD_DIR = join(WEB_DIR, 'build');
/** The budget: at most 100 KB of first-load JavaScript, gzipped, on any page. */
export const BUDGET_BYTES = 100 * 1024;

export interface PageWeight {
  page: string;
  files: string[];
  gzipBytes: number;
}

/** The first-load JavaScript of every prerendered page in `buildDir`. */
export function firstLoadJs(buildDir: string): PageWeight[] {
  // Pages in every language: index.html, statistics.html, es.html, es/statistics.html, ...
  const pages = readdirSync(buildDir, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.html') && !f.startsWith('_app'),
  );
  const gz = new Map<string, number>();
  const gzipped = (file: string): number => {
    let n = gz.get(file);
    if (n === undefined) {
      n = gzipSync(readFileSync(file), { level: 9 }).length;
      gz.set(file, n);
    }
    return n;
  };
  return pages.sort().map((name) => {
    const html = readFileSync(join(buildDir, name), 'utf8');
    const page = `/${name.split(sep).join('/')}`.replace(/(\/index)?\.html$/, '') || '/';
    const seen = new Set<string>();
    const queue: string[] = [];
    const add = (from: string, spec: string): void => {
      if (!spec.endsWith('.js') || /^[a-z]+:/i.test(spec)) return;
      const file = spec.startsWith('/') ? join(buildDir, spec) : resolve(from, spec);
      if (!seen.has(file) && existsSync(file)) {
        seen.add(file);
        queue.push(file);
      }
    };
    for (const [tag] of html.matchAll(/<link\b[^>]*>/g)) {
      const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
      if (/\brel="modulepreload"/.test(tag) && href !== undefined) add(buildDir, href);
    }
    for (const m of html.matchAll(/<script[^>]+src="([^"]+)"/g)) add(buildDir, m[1]!);
    // SvelteKit starts the app from an inline script: import("./_app/immutable/entry/start.js").
    for (const m of html.matchAll(/import\(\s*"([^"]+\.js)"\s*\)/g)) add(buildDir, m[1]!);
    while (queue.length > 0) {
      const file = queue.shift()!;
      const code = readFileSync(file, 'utf8');
      // Static imports only: `import ... from "./x.js"`, `import "./x.js"`, `export ... from`.
      for (const m of code.matchAll(/(?:\bimport|\bfrom)\s*["']([^"']+\.js)["']/g)) {
        add(dirname(file), m[1]!);
      }
    }
    const files = [...seen].map((f) => relative(buildDir, f)).sort();
    const gzipBytes = [...seen].reduce((sum, f) => sum + gzipped(f), 0);
    return {
      page,
      files,
      gzipBytes,
    };
  });
}

/** True when web/build is missing or older than a source of the site. */
export function siteIsStale(): boolean {
  const built = join(BUILD_DIR, 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newest = (path: string): number => {
    const s = statSync(path);
    if (!s.isDirectory()) return s.mtimeMs;
    return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
  };
  const sources = ['src', 'static', 'svelte.config.js', 'vite.config.ts'].map((p) =>
    join(WEB_DIR, p),
  );
  return sources.some((p) => existsSync(p) && newest(p) > builtAt);
}

/** Builds the site with Vite (SvelteKit reads its config from the working directory). */
export function buildSite(): void {
  const vite = join(WEB_DIR, '..', 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: WEB_DIR,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    throw new Error(`vite build failed (exit status ${result.status ?? result.signal})`);
  }
}

function main(): number {
  const started = Date.now();
  buildSite();
  const weights = firstLoadJs(BUILD_DIR);
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  process.stdout.write(
    `Site built in web/build in ${((Date.now() - started) / 1000).toFixed(1)} s.\n` +
      `First-load JavaScript per page (gzipped; budget ${kb(BUDGET_BYTES)}):\n`,
  );
  const width = Math.max(...weights.map((w) => w.page.length));
  for (const w of weights) {
    const over = w.gzipBytes > BUDGET_BYTES ? '  OVER BUDGET' : '';
    process.stdout.write(
      `  ${w.page.padEnd(width)}  ${kb(w.gzipBytes).padStart(8)}  (${w.files.length} files)${over}\n`,
    );
  }
  const over = weights.filter((w) => w.gzipBytes > BUDGET_BYTES);
  if (weights.length === 0) {
    process.stderr.write('build:web: no pages were written\n');
    return 1;
  }
  if (over.length > 0) {
    process.stderr.write(
      `build:web: ${over.map((w) => w.page).join(', ')} over the ${kb(BUDGET_BYTES)} budget\n`,
    );
    return 1;
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.exit(main());
  } catch (e) {
    process.stderr.write(`build:web: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
