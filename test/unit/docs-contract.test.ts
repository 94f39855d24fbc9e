// The documentation's public contract tables, held to the code so that they cannot drift: the
// record's data-quality flags and the failure reasons in docs/RECORD.md. And every relative link
// in the README and the docs points at a file (and a heading) that exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAILURE_REASONS, LETTER_FORMAT_REASONS } from '../../shared/errors.ts';
import { DATE_FIELDS, ITEM_FLAGS, LETTER_FLAGS } from '../../shared/record/flags.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** The lines of a markdown document outside fenced code blocks (others become empty lines). */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** The first column of every table under a heading whose header's first cell is `column`. */
function tableColumn(markdown: string, heading: string, column: string): string[][] {
  const lines = prose(markdown);
  const start = lines.findIndex((l) => /^#{1,6} /.test(l) && l.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = /^#+/.exec(lines[start] ?? '')![0].length;
  const tables: string[][] = [];
  let current: string[] | null = null;
  for (const line of lines.slice(start + 1)) {
    const h = /^(#+) /.exec(line);
    if (h && h[1]!.length <= level) break;
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    const cells = line.split('|').map((c) => c.trim());
    const first = cells[1] ?? '';
    if (current === null) {
      if (first === column) tables.push((current = []));
      else current = [];
      continue;
    }
    if (/^-+$/.test(first) || tables.at(-1) !== current) continue;
    current.push(first.replace(/^`|`$/g, ''));
  }
  return tables;
}

/** A documented flag with `<field>` stands for one flag per date field. */
function expandFields(flags: readonly string[]): string[] {
  return flags.flatMap((f) =>
    f.includes('<field>') ? DATE_FIELDS.map((field) => f.replace('<field>', field)) : [f],
  );
}

describe('docs/RECORD.md: the public contract tables', () => {
  const record = read('docs/RECORD.md');

  it('lists exactly the letter and item flags of the schema, once each', () => {
    const tables = tableColumn(record, 'Data-quality flags', 'flag');
    expect(tables).toHaveLength(2); // letter flags, item flags
    const [letter, item] = tables.map(expandFields) as [string[], string[]];
    expect(new Set(letter).size).toBe(letter.length);
    expect(new Set(item).size).toBe(item.length);
    expect([...letter].sort()).toEqual([...LETTER_FLAGS].sort());
    expect([...item].sort()).toEqual([...ITEM_FLAGS].sort());
  });

  it('lists exactly the failure reasons of FAILURE_REASONS', () => {
    const tables = tableColumn(record, 'Failure reasons', 'reason');
    expect(tables).toHaveLength(2); // every reason and when; the parser's example messages
    const [reasons, messages] = tables as [string[], string[]];
    expect(new Set(reasons).size).toBe(reasons.length);
    expect([...reasons].sort()).toEqual([...FAILURE_REASONS].sort());
    expect([...messages].sort()).toEqual([...LETTER_FORMAT_REASONS].sort());
  });
});

/** GitHub's anchors for a document's headings. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const line of prose(markdown)) {
    const h = /^#{1,6} (.*)$/.exec(line);
    if (!h) continue;
    const base = h[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

describe('links in the README and the docs', () => {
  const documents = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
    'web/README.md',
    'cdk/README.md',
    'functions/README.md',
  ].filter((f) => existsSync(join(ROOT, f)));

  it.each(documents)('%s: every relative link points at an existing file and heading', (doc) => {
    const broken: string[] = [];
    for (const line of prose(read(doc))) {
      for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path === '' ? doc : relative(ROOT, resolve(ROOT, dirname(doc), path));
        if (!existsSync(join(ROOT, file))) {
          broken.push(`${target}: no file ${file}`);
          continue;
        }
        if (anchor && file.endsWith('.md') && !anchors(read(file)).has(anchor))
          broken.push(`${target}: no heading #${anchor} in ${file}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
