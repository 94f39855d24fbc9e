import { PutObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { UPLOAD_ID_METADATA } from '../shared/ingest/index.ts';
import { forEachLimit } from '../shared/concurrency.ts';
import { generateLetter, syntheticFileName } from '../synthetic/generate.ts';
import { getUploads } from '../shared/store/index.ts';
import type { LocalStack } from './stack.ts';

/** The organisation demo letters are uploaded as. */
export const DEMO_ORGANISATION = 'demo';
/** A fixed seed: the same N demo letters every time, so a restart with --demo N adds nothing. */
const DEMO_SEED = 2026;
const IN_FLIGHT = 8;

/** Uploads N synthetic letters through the local S3 (so they take the real ingest path). */
export async function seedDemo(stack: LocalStack, count: number, out: Writable): Promise<void> {
  const started = Date.now();
  const keyOf = (fileName: string): string => `uploads/${DEMO_ORGANISATION}/${fileName}`;
  const letters = Array.from({ length: count }, (_, i) => i);
  const keys = letters.map((i) => keyOf(syntheticFileName(i, DEMO_SEED, 'text')));
  // A restart with the same --demo N finds its letters already ingested and sends none again.
  const present = new Set((await getUploads(stack.table, keys)).map((u) => u.key));
  const todo = letters.filter((i) => !present.has(keys[i]!));
  if (todo.length === 0) {
    out.write(`Demo: all ${count} synthetic letters are already ingested.\n`);
    return;
  }
  let sent = 0;
  const tty = (out as Writable & { isTTY?: boolean }).isTTY === true;
  const ingestedBefore = stack.ingest.counts.succeeded;
  const progress = (): void => {
    const ingested = stack.ingest.counts.succeeded - ingestedBefore;
    const line = `Demo: ${sent}/${todo.length} synthetic letters uploaded, ${ingested} ingested`;
    out.write(tty ? `\r${line}` : `${line}\n`);
  };
  // Every second on a terminal; every 10 s into a log.
  const ticker = setInterval(progress, tty ? 1000 : 10_000);
  await forEachLimit(todo, IN_FLIGHT, async (index) => {
    const letter = generateLetter(index, DEMO_SEED, 'text');
    await stack.s3.send(
      new PutObjectCommand({
        Bucket: stack.bucket,
        Key: keys[index]!,
        Body: letter.bytes,
        Metadata: { [UPLOAD_ID_METADATA]: randomUUID() },
      }),
    );
    sent++;
  });
  await stack.ingest.idle();
  clearInterval(ticker);
  progress();
  if (tty) out.write('\n');
  const results = await getUploads(
    stack.table,
    todo.map((i) => keys[i]!),
  );
  const by = (s: string): number => results.filter((u) => u.status === s).length;
  out.write(
    `Demo: ${todo.length} synthetic letters in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `${by('parsed')} parsed, ${by('replaced')} replaced, ${by('duplicate')} already present, ` +
      `${by('conflict')} conflict, ${by('failed')} failed.\n`,
  );
}
