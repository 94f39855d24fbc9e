import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conflictsCommand } from '../../cli/conflicts.ts';
import { writeStackFile } from '../../local/stack-file.ts';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { createLogger } from '../../shared/logger.ts';
import { extractText } from '../../shared/parser/extract-text.ts';
import { renderLetter, type LetterSpec } from '../../synthetic/render-letter.ts';
import { acceptConflict, keepPublished } from '../../shared/store/determinations.ts';
import { listConflicts, listCorroborations } from '../../shared/store/provenance.ts';
import { readDetermination } from '../../shared/store/queries.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { CORPUS_DIR, HAVE_LETTERS } from '../support/letters.ts';
import { mailedCopy } from '../support/mailed.ts';
import { receiptOf, snapshot, uploadAndWait } from '../support/store.ts';

// Trust between organisations (docs/DATA-MODEL.md, "Provenance"): a case's public record belongs
// to the organisation whose upload first produced it; no other organisation's upload, overwrite
// or junk can change or remove it.

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: null, logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await stack?.stop();
});

function letter(caseNumber: string, overrides: Partial<LetterSpec> = {}): string {
  return renderLetter({ ...SPEC, caseNumber, ...overrides }, { layout: 'full-letter' });
}

const original = SPEC.items.map((i) => i.decision.toLowerCase());
const flipped = SPEC.items.map((i) => ({
  ...i,
  decision: i.decision === 'Upheld' ? ('Overturned' as const) : ('Upheld' as const),
}));
const flippedDecisions = flipped.map((i) => i.decision.toLowerCase());

async function expectConsistent(): Promise<Awaited<ReturnType<typeof snapshot>>> {
  const snap = await snapshot(stack);
  expect(snap.counters).toEqual(snap.recount);
  expect(snap.indexEntries).toEqual(snap.expectedIndexEntries);
  for (const d of snap.determinations.values()) expect(d.state).toBe('complete');
  return snap;
}

async function decisionsOf(id: string): Promise<string[] | undefined> {
  return (await readDetermination(stack.table, id))?.issues.map((i) => i.decision);
}

describe('another organisation cannot change or remove a published record', () => {
  it.skipIf(!HAVE_LETTERS)(
    'holds a flipped copy of a real letter aside as a conflict, and ignores its junk',
    async () => {
      const caseId = 'CM16-0213037';
      const pdf = readFileSync(join(CORPUS_DIR, `${caseId}.pdf`));
      const own = await uploadAndWait(stack, `uploads/acme/${caseId}.pdf`, pdf);
      expect(own.status).toBe('parsed');
      const published = await decisionsOf(caseId);
      expect(published).toBeDefined();
      const before = await expectConsistent();

      // Every decision flipped, under a file name of the other organisation's choosing.
      const text = (await extractText(pdf, `${caseId}.pdf`)).replace(
        /:\s*(Upheld|Overturned)\b/g,
        (_m, d: string) => `: ${d === 'Upheld' ? 'Overturned' : 'Upheld'}`,
      );
      const forged = await uploadAndWait(stack, 'uploads/mallory/any-name.txt', text);
      expect(forged.status).toBe('conflict');
      expect(forged.caseNumber).toBe(caseId);
      expect(forged.message).toContain(caseId);
      expect(forged.message).toMatch(/differs from the published record/);
      expect(forged.message).not.toContain('acme');
      const receipt = await receiptOf(stack, 'uploads/mallory/any-name.txt');
      expect(receipt).toMatchObject({ status: 'conflict', caseNumber: caseId });
      expect(await decisionsOf(caseId)).toEqual(published);
      const during = await expectConsistent();
      expect(during.counters).toEqual(before.counters);
      expect(during.indexEntries).toEqual(before.indexEntries);
      expect(
        (await listConflicts(stack.table)).conflicts.map((c) => [c.caseId, c.organisation]),
      ).toEqual([[caseId, 'mallory']]);

      // The other organisation overwrites its own key with junk: its conflict goes, nothing else.
      const junk = await uploadAndWait(stack, 'uploads/mallory/any-name.txt', 'junk');
      expect(junk.status).toBe('failed');
      expect(await decisionsOf(caseId)).toEqual(published);
      expect((await listConflicts(stack.table)).conflicts).toEqual([]);
      expect((await expectConsistent()).counters).toEqual(before.counters);
      expect((await receiptOf(stack, `uploads/acme/${caseId}.pdf`))?.status).toBe('parsed');
    },
  );

  it('counts an equal copy from another organisation as a duplicate that corroborates', async () => {
    const caseId = 'CM16-0000201';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    const before = await expectConsistent();
    const copy = await uploadAndWait(stack, 'uploads/beta/scan-0001.txt', letter(caseId));
    expect(copy.status).toBe('duplicate');
    expect((await listCorroborations(stack.table, caseId)).map((c) => c.organisation)).toEqual([
      'beta',
    ]);
    expect((await expectConsistent()).counters).toEqual(before.counters);

    // The owner overwrites its key: the case stays published, now from beta's upload.
    const junk = await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, 'not a letter');
    expect(junk.status).toBe('failed');
    expect(await decisionsOf(caseId)).toEqual(original);
    expect(await listCorroborations(stack.table, caseId)).toEqual([]);
    expect((await expectConsistent()).counters).toEqual(before.counters);

    // beta owns it now: its own overwrite removes it.
    await uploadAndWait(stack, 'uploads/beta/scan-0001.txt', 'not a letter either');
    expect(await readDetermination(stack.table, caseId)).toBeNull();
    await expectConsistent();
  });

  it.skipIf(!HAVE_LETTERS)(
    "counts the copy of a letter as mailed to the parties as a duplicate of the DWC's",
    async () => {
      const caseId = 'CM16-0213037';
      const text = await extractText(readFileSync(join(CORPUS_DIR, `${caseId}.pdf`)), 'x.pdf');
      const before = await expectConsistent();
      const mailed = await uploadAndWait(
        stack,
        'uploads/lawfirm/received-by-mail.txt',
        mailedCopy(text, { caseNumber: caseId }),
      );
      // Its prose differs by the names scrubbed from it; its decisions are the published ones.
      expect(mailed.status).toBe('duplicate');
      expect((await listCorroborations(stack.table, caseId)).map((c) => c.organisation)).toContain(
        'lawfirm',
      );
      expect((await expectConsistent()).counters).toEqual(before.counters);
    },
  );

  it('lets the owner replace its record with a corrected letter under another name', async () => {
    const caseId = 'CM16-0000202';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    const corrected = await uploadAndWait(
      stack,
      `uploads/acme/corrected/${caseId}.txt`,
      letter(caseId, { items: flipped }),
    );
    expect(corrected.status).toBe('replaced');
    expect(await decisionsOf(caseId)).toEqual(flippedDecisions);
    await expectConsistent();
  });
});

describe('settling conflicts', () => {
  it('publishes the accepted copy, moving the statistics, and makes the old one a conflict', async () => {
    const caseId = 'CM16-0000301';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    const conflict = await uploadAndWait(
      stack,
      `uploads/beta/${caseId}.txt`,
      letter(caseId, { items: flipped }),
    );
    expect(conflict.status).toBe('conflict');
    const settled = await acceptConflict(stack.table, caseId, 'beta', new Date().toISOString());
    expect(settled).toEqual({ kind: 'accepted', organisation: 'beta', previousOwner: 'acme' });
    expect(await decisionsOf(caseId)).toEqual(flippedDecisions);
    await expectConsistent();
    const open = (await listConflicts(stack.table)).conflicts.filter((c) => c.caseId === caseId);
    expect(open.map((c) => c.organisation)).toEqual(['acme']);

    // Now acme's overwrite of its key no longer touches the record; beta's would.
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, 'junk');
    expect(await decisionsOf(caseId)).toEqual(flippedDecisions);
    expect((await listConflicts(stack.table)).conflicts.filter((c) => c.caseId === caseId)).toEqual(
      [],
    );
    await expectConsistent();
  });

  it('keeps the published record and drops the conflicts', async () => {
    const caseId = 'CM16-0000302';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/beta/${caseId}.txt`, letter(caseId, { items: flipped }));
    expect(await keepPublished(stack.table, caseId)).toEqual({
      kind: 'kept',
      dropped: 1,
      changed: 0,
    });
    expect(await keepPublished(stack.table, caseId)).toEqual({ kind: 'no-conflict' });
    expect(await decisionsOf(caseId)).toEqual(original);
    await expectConsistent();
  });

  it('lists and settles conflicts from the command line', async () => {
    const caseId = 'CM16-0000303';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/gamma/${caseId}.txt`, letter(caseId, { items: flipped }));
    const dataDir = await writeStackFileFor(stack);
    const list = await run(['--data-dir', dataDir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${caseId}  gamma  uploads/gamma/${caseId}.txt`);
    expect(list.stdout).toContain('item 1 is overturned here, upheld in the published record');

    const usage = await run(['resolve', caseId, '--data-dir', dataDir]);
    expect(usage.code).toBe(2);
    const missing = await run(['resolve', 'CM16-0000999', '--keep', '--data-dir', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no open conflict');

    const accepted = await run(['resolve', caseId, '--accept', 'gamma', '--data-dir', dataDir]);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toContain(`${caseId}: gamma's copy is now the published record`);
    expect(await decisionsOf(caseId)).toEqual(flippedDecisions);
    await expectConsistent();
  });
});

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        write(chunk.toString());
        done();
      },
    });
  const code = await conflictsCommand(args, {
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
  });
  return { code, stdout, stderr };
}

// The CLI finds a local stack through its data dir's stack.json, as "npm start" writes it.
async function writeStackFileFor(s: LocalStack): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'imr-conflicts-'));
  await writeStackFile(dir, {
    pid: process.pid,
    dynamodbEndpoint: s.dynamodbEndpoint,
    s3Endpoint: s.s3Endpoint,
    tableName: s.tableName,
    bucket: s.bucket,
  });
  return dir;
}
