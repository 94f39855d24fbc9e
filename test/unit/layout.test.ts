// The layout holds: shared/ (the deployed domain code) imports nothing from the tools around it,
// its folders import one another without cycles and only through each folder's index.ts, and
// every import is a relative path.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SHARED = join(ROOT, 'shared');

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.(ts|svelte)$/.test(name))
    .map((name) => join(dir, name));
}

/** The relative imports of a file (static, dynamic and re-exports), as absolute paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) =>
    resolve(dirname(file), m[1]!),
  );
}

/** The folder of shared/ a file belongs to ("parser"), or its own name for a file at the top. */
const area = (file: string): string => relative(SHARED, file).split(sep)[0]!;

/** The project's TypeScript outside the site and the tests. */
const CODE_DIRS = ['shared', 'functions', 'cdk', 'cli', 'local', 'scripts', 'bench', 'synthetic'];

// Modules the site imports directly: the folder's index.ts also names server modules
// (node:crypto) that a browser bundle must not reach.
const SITE_DIRECT = ['shared/api/filters.ts'];

describe('the layout', () => {
  const shared = sources(SHARED);

  it('shared/ imports only shared/ (not the generator, tools, tests or the site)', () => {
    const outside = shared.flatMap((file) =>
      importsOf(file)
        .filter((target) => relative(SHARED, target).startsWith('..'))
        .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
    );
    expect(outside).toEqual([]);
  });

  it("shared/'s folders import one another without a cycle", () => {
    const edges = new Map<string, Set<string>>();
    for (const file of shared) {
      for (const target of importsOf(file)) {
        const [from, to] = [area(file), area(target)];
        if (from === to) continue;
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
      }
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]): void => {
      for (const next of edges.get(node) ?? []) {
        if (path.includes(next))
          cycles.push([...path.slice(path.indexOf(next)), next].join(' -> '));
        else visit(next, [...path, next]);
      }
    };
    for (const node of edges.keys()) visit(node, [node]);
    expect(cycles).toEqual([]);
    expect(edges.size).toBeGreaterThan(5);
  });

  it("code outside a shared/ folder reaches it through the folder's index.ts", () => {
    // Tests may reach any module: each part of a folder is tested alone.
    const inner = [...CODE_DIRS, 'web/src']
      .flatMap((d) => sources(join(ROOT, d)))
      .flatMap((file) =>
        importsOf(file)
          .filter((target) => {
            const parts = relative(SHARED, target).split(sep);
            if (parts[0] === '..' || parts.length < 2) return false;
            const own = relative(SHARED, file).split(sep);
            if (own[0] === parts[0] || parts.slice(1).join('/') === 'index.ts') return false;
            return !(
              file.startsWith(join(ROOT, 'web')) && SITE_DIRECT.includes(relative(ROOT, target))
            );
          })
          .map((target) => `${relative(ROOT, file)} -> ${relative(ROOT, target)}`),
      );
    expect(inner).toEqual([]);
    const folders = readdirSync(SHARED, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(folders.filter((e) => !readdirSync(join(SHARED, e.name)).includes('index.ts'))).toEqual(
      [],
    );
  });

  it('every import of project code is a relative path (no path alias)', () => {
    const aliased = [...CODE_DIRS, 'test']
      .flatMap((d) => sources(join(ROOT, d)))
      .filter((file) => /from\s+['"]#/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    expect(aliased).toEqual([]);
  });
});
