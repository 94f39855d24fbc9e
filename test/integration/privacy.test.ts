import { PutObjectCommand } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../local/server.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import {
  determinationsPageSchema,
  exportsListSchema,
  itemsPageSchema,
  publicDeterminationSchema,
} from '../../shared/api/schemas.ts';
import { s3ExportBucket } from '../../shared/export/bucket.ts';
import { runExport } from '../../shared/export/run.ts';
import { createLogger } from '../../shared/logger.ts';
import { extractText } from '../../shared/parser/extract-text.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { STATS_BY } from '../../shared/stats/statistics.ts';
import { corpusPdfs, HAVE_LETTERS, seedTexts } from '../support/letters.ts';
import { IDENTIFIERS, mailedCopy, PEOPLE } from '../support/mailed.ts';
import { readAtom } from '../support/atom.ts';

// Mailed copies (cover page, parties named in the prose and the guideline lines) uploaded to the
// local stack: nothing they name comes out of the API, over HTTP as the site reads it, or out of
// the export files it links to.

let stack: LocalStack;
let server: LocalServer;
/** Case ids and injury dates of the uploaded letters. */
const letters: { id: string; injury: string | null }[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: null });
  const paths = [...corpusPdfs().slice(0, 12), ...seedTexts().slice(0, 2)];
  for (const path of paths) {
    const bytes = new Uint8Array(await readFile(path));
    const text = path.endsWith('.pdf')
      ? await extractText(bytes, path)
      : new TextDecoder().decode(bytes);
    const name = basename(path).replace(/\.pdf$/, '.txt');
    const published = parseLetterText(text, name);
    if (published.caseNumber !== null)
      letters.push({ id: published.caseNumber, injury: published.dates.injury });
    await stack.s3.send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        // The file name of a mailed copy may name the worker too.
        Key: `uploads/privacy-org/${PEOPLE.workerLast}-${name}`,
        Body: mailedCopy(text, { caseNumber: published.caseNumber, guidelines: true }),
      }),
    );
  }
  await stack.ingest.idle();
  server = await startLocalServer(stack, {
    port: 0,
    logger: createLogger({ level: 'silent' }),
    exports: s3ExportBucket(stack.s3, stack.exportsBucket),
  });
}, 300_000);

afterAll(async () => {
  await server?.close();
  await stack?.stop();
});

/** Everything the API answered in these tests. */
const answers: string[] = [];

async function fetchText(path: string): Promise<string> {
  const res = await fetch(new URL(path, server.url));
  expect(res.status, path).toBe(200);
  const text = await res.text();
  answers.push(text);
  return text;
}

describe.skipIf(!HAVE_LETTERS)('mailed letters through the local stack', () => {
  it('serves each determination with the injury year and no identifier', async () => {
    expect(letters.length).toBeGreaterThanOrEqual(12);
    for (const { id, injury } of letters) {
      const text = await fetchText(`/api/determinations/${id}`);
      const d = publicDeterminationSchema.parse(JSON.parse(text));
      expect(d.flags).toContain('redacted-identifiers');
      if (injury !== null) {
        expect(d.dates.injuryYear).toBe(Number(injury.slice(0, 4)));
        expect(text).not.toContain(injury);
      }
    }
  });

  it('lists determinations, items, the feed, statistics and similar requests without an identifier', async () => {
    determinationsPageSchema.parse(JSON.parse(await fetchText('/api/determinations?limit=100')));
    itemsPageSchema.parse(JSON.parse(await fetchText('/api/items?limit=100')));
    expect(readAtom(await fetchText('/api/feed.atom')).entries.length).toBeGreaterThan(0);
    for (const by of STATS_BY) await fetchText(`/api/stats?by=${by}`);
    await fetchText('/api/stats/similar?request=MRI%20of%20the%20right%20shoulder');
    // A search for a party's name finds nothing: the words were never indexed.
    for (const word of [PEOPLE.workerFirst, 'Quartzfield', PEOPLE.physicianLast]) {
      const page = itemsPageSchema.parse(JSON.parse(await fetchText(`/api/items?q=${word}`)));
      expect(page.items, word).toEqual([]);
    }
  });

  it('exports files without an identifier or an injury date', async () => {
    const result = await runExport({
      table: stack.table,
      bucket: s3ExportBucket(stack.s3, stack.exportsBucket),
      logger: createLogger({ level: 'silent' }),
    });
    expect(result.status).toBe('complete');
    const list = exportsListSchema.parse(JSON.parse(await fetchText('/api/exports')));
    const files = list.snapshots[0]!.files.filter((f) => f.format !== 'parquet');
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const text = await fetchText(f.url);
      for (const { injury } of letters) if (injury !== null) expect(text).not.toContain(injury);
    }
  });

  it('answered nothing that names a party', () => {
    const all = answers.join('\n');
    expect(all.length).toBeGreaterThan(10_000);
    for (const id of IDENTIFIERS) expect(all, id).not.toContain(id);
  });
});
