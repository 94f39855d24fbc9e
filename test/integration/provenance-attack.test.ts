import {
  DeleteItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { createLogger } from '../../shared/logger.ts';
import { parseLetter } from '../../shared/parser/parse-letter.ts';
import { renderLetter, type LetterSpec } from '../../synthetic/render-letter.ts';
import {
  acceptConflict,
  keepPublished,
  putDetermination,
} from '../../shared/store/determinations.ts';
import { getStoredDetermination } from '../../shared/store/stored-determination.ts';
import { type TableDeps } from '../../shared/store/table.ts';
import { listConflicts, listCorroborations } from '../../shared/store/provenance.ts';
import { readDetermination } from '../../shared/store/queries.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { snapshot, uploadAndWait } from '../support/store.ts';

// Attacks on provenance (issue 15), written by a reviewer against the first design: stale held
// copies after the owner replaces or removes the record, races between organisations and the
// operator, one held copy per organisation instead of per upload. Each names the defect (D1-D6)
// it demonstrated; all must pass now.

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

async function decisionsOf(id: string): Promise<string[] | undefined> {
  return (await readDetermination(stack.table, id))?.issues.map((i) => i.decision);
}

async function expectConsistent(): Promise<void> {
  const snap = await snapshot(stack);
  expect(snap.counters).toEqual(snap.recount);
  expect(snap.indexEntries).toEqual(snap.expectedIndexEntries);
}

/** The stack's table, with `before` run ahead of every DynamoDB request (to interleave a race). */
function hooked(before: (cmd: unknown) => Promise<void>): TableDeps {
  const real = stack.table.client;
  const client = Object.create(real) as DynamoDBClient;
  client.send = (async (cmd: unknown, ...rest: unknown[]) => {
    await before(cmd);
    return (real.send as (...a: unknown[]) => Promise<unknown>)(cmd, ...rest);
  }) as DynamoDBClient['send'];
  return { client, tableName: stack.table.tableName };
}

function skOfPut(cmd: unknown): string | undefined {
  return cmd instanceof PutItemCommand ? cmd.input.Item?.SK?.S : undefined;
}

function skOfDelete(cmd: unknown): string | undefined {
  return cmd instanceof DeleteItemCommand ? cmd.input.Key?.SK?.S : undefined;
}

describe('D1: a corroboration is never re-checked when the owner replaces the record', () => {
  it('D1a: the owner replacing its record leaves the old corroboration standing', async () => {
    const caseId = 'CM16-0000401';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    expect((await uploadAndWait(stack, `uploads/beta/${caseId}.txt`, letter(caseId))).status).toBe(
      'duplicate',
    );
    // acme corrects its letter: beta's copy no longer says what is published.
    const corrected = await uploadAndWait(
      stack,
      `uploads/acme/${caseId}.txt`,
      letter(caseId, { items: flipped }),
    );
    expect(corrected.status).toBe('replaced');
    // beta no longer corroborates the published record (its copy differs now).
    expect((await listCorroborations(stack.table, caseId)).map((c) => c.organisation)).toEqual([]);
  });

  it('D1b: after the owner removes its corrected record, it stays public, owned by an organisation that never sent it', async () => {
    const caseId = 'CM16-0000402';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/beta/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId, { items: flipped }));
    expect(await decisionsOf(caseId)).toEqual(flippedDecisions);
    // acme removes its record by overwriting its key.
    const junk = await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, 'not a letter');
    expect(junk.status).toBe('failed');
    await expectConsistent();
    // Either the case is gone or it passes to beta with beta's own content: never acme's
    // corrected (and now removed) content under beta's name.
    const stored = await getStoredDetermination(stack.table, caseId);
    const after = await decisionsOf(caseId);
    expect(
      after === undefined || JSON.stringify(after) === JSON.stringify(original),
      `published: ${JSON.stringify(after)} owned by ${stored?.owner}`,
    ).toBe(true);
  });
});

describe('D2: a held conflict is never re-checked when the owner replaces the record', () => {
  it('D2a: the owner publishing exactly the conflicting copy leaves it listed as a conflict', async () => {
    const caseId = 'CM16-0000403';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    const held = await uploadAndWait(
      stack,
      `uploads/mallory/${caseId}.txt`,
      letter(caseId, { items: flipped }),
    );
    expect(held.status).toBe('conflict');
    await uploadAndWait(
      stack,
      `uploads/acme/corrected-${caseId}.txt`,
      letter(caseId, { items: flipped }),
    );
    expect(await decisionsOf(caseId)).toEqual(flippedDecisions);
    // mallory's copy now equals the published record: no conflict is open for it any more, and
    // it corroborates.
    expect((await listConflicts(stack.table)).conflicts.filter((c) => c.caseId === caseId)).toEqual(
      [],
    );
    expect((await listCorroborations(stack.table, caseId)).map((c) => c.organisation)).toEqual([
      'mallory',
    ]);
  });

  it('D2b: the owner removing that record then drops the case instead of passing it to the equal copy', async () => {
    const caseId = 'CM16-0000404';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/mallory/${caseId}.txt`, letter(caseId, { items: flipped }));
    await uploadAndWait(
      stack,
      `uploads/acme/corrected-${caseId}.txt`,
      letter(caseId, { items: flipped }),
    );
    await uploadAndWait(stack, `uploads/acme/corrected-${caseId}.txt`, 'junk');
    // "if the owner removes, the case passes to the oldest corroborator": mallory sent it too.
    expect(await decisionsOf(caseId)).toEqual(flippedDecisions);
    expect((await getStoredDetermination(stack.table, caseId))?.owner).toBe('mallory');
  });

  it('D2c: after the owner removes the case, the conflicting organisation publishes it and is then in conflict with itself', async () => {
    const caseId = 'CM16-0000405';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/mallory/${caseId}.txt`, letter(caseId, { items: flipped }));
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, 'junk');
    expect(await decisionsOf(caseId)).toBeUndefined();
    const again = await uploadAndWait(
      stack,
      `uploads/mallory/again-${caseId}.txt`,
      letter(caseId, { items: flipped }),
    );
    expect(again.status).toBe('parsed');
    expect((await getStoredDetermination(stack.table, caseId))?.owner).toBe('mallory');
    // The owner of a case has no open conflict with its own published record.
    expect(
      (await listConflicts(stack.table)).conflicts
        .filter((c) => c.caseId === caseId)
        .map((c) => c.organisation),
    ).toEqual([]);
  });
});

describe('D3: corroborations and conflicts are written after, and apart from, the decision', () => {
  it('D3: an equal copy decided just before the owner removes the case is decided again, and publishes the case', async () => {
    const caseId = 'CM16-0000406';
    const acmeKey = `uploads/acme/${caseId}.txt`;
    await uploadAndWait(stack, acmeKey, letter(caseId));
    // beta's ingest of an equal copy runs: it reads the case (acme's) and decides `duplicate`;
    // acme's overwrite of its key is ingested before beta's SOURCE# put lands.
    let raced = false;
    const betaTable = hooked(async (cmd) => {
      if (!raced && skOfPut(cmd)?.startsWith('HELD#')) {
        raced = true;
        await uploadAndWait(stack, acmeKey, 'junk');
      }
    });
    const text = letter(caseId);
    const bytes = new TextEncoder().encode(text);
    const outcome = await putDetermination(betaTable, {
      id: caseId,
      record: await parseLetter(bytes, `${caseId}.txt`),
      contentHash: createHash('sha256').update(bytes).digest('hex'),
      organisation: 'beta',
      sourceKey: `uploads/beta/${caseId}.txt`,
      sequencer: '0000000000000000000001',
      now: new Date().toISOString(),
    });
    expect(raced).toBe(true);
    // The case was removed before beta's copy was held: decided again, beta's letter is the record.
    expect(outcome).toBe('parsed');
    expect(await decisionsOf(caseId)).toEqual(original);
    expect((await getStoredDetermination(stack.table, caseId))?.owner).toBe('beta');
    expect(await listCorroborations(stack.table, caseId)).toEqual([]);

    // gamma then sends different content: a conflict, which its own removal takes away again.
    const gammaKey = `uploads/gamma/${caseId}.txt`;
    expect((await uploadAndWait(stack, gammaKey, letter(caseId, { items: flipped }))).status).toBe(
      'conflict',
    );
    await uploadAndWait(stack, gammaKey, 'junk');
    await expectConsistent();
    expect(await decisionsOf(caseId)).toEqual(original);
    expect((await listConflicts(stack.table)).conflicts.filter((c) => c.caseId === caseId)).toEqual(
      [],
    );
  });
});

describe('D4: settling conflicts', () => {
  it('D4a: accepting again after a crash half-way finishes the settlement', async () => {
    const caseId = 'CM16-0000407';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/beta/${caseId}.txt`, letter(caseId, { items: flipped }));
    // The operator's process dies right after publishing beta's copy, before sorting the copies.
    let crashed = false;
    const crashing = hooked(async (cmd) => {
      if (!crashed && skOfPut(cmd)?.startsWith('HELD#')) {
        crashed = true;
        throw new Error('killed');
      }
    });
    await expect(
      acceptConflict(crashing, caseId, 'beta', new Date().toISOString()),
    ).rejects.toThrow('killed');
    // The operator runs the same command again.
    const settled = await acceptConflict(stack.table, caseId, 'beta', new Date().toISOString());
    expect(settled).toEqual({ kind: 'already', organisation: 'beta' });
    expect(await decisionsOf(caseId)).toEqual(flippedDecisions);
    await expectConsistent();
    // As after an uninterrupted settlement: acme's copy is held aside as a conflict.
    expect(
      (await listConflicts(stack.table)).conflicts
        .filter((c) => c.caseId === caseId)
        .map((c) => c.organisation),
    ).toEqual(['acme']);
  });

  it('D4b: accepting a conflict whose upload was overwritten meanwhile publishes content the bucket no longer holds', async () => {
    const caseId = 'CM16-0000408';
    const malloryKey = `uploads/mallory/${caseId}.txt`;
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, malloryKey, letter(caseId, { items: flipped }));
    // mallory withdraws its copy (overwrites its key) while the operator's accept runs.
    let raced = false;
    const operator = hooked(async (cmd) => {
      if (!raced && cmd instanceof TransactWriteItemsCommand) {
        raced = true;
        expect((await uploadAndWait(stack, malloryKey, 'withdrawn')).status).toBe('failed');
      }
    });
    const settled = await acceptConflict(operator, caseId, 'mallory', new Date().toISOString());
    expect(raced).toBe(true);
    await expectConsistent();
    // The withdrawn copy is not published: acme's record stands (or the accept reports that
    // there is no longer a conflict to settle).
    expect(await decisionsOf(caseId), `settlement: ${JSON.stringify(settled)}`).toEqual(original);
  });
});

describe('D5: one SOURCE# item per organisation, not per upload', () => {
  it('D5a: an organisation with two equal copies loses its corroboration when one key is overwritten', async () => {
    const caseId = 'CM16-0000409';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/beta/a-${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/beta/b-${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/beta/b-${caseId}.txt`, 'junk');
    // beta's first key still holds an equal copy.
    expect((await listCorroborations(stack.table, caseId)).map((c) => c.organisation)).toEqual([
      'beta',
    ]);
  });

  it('D5b: a second copy from the oldest corroborator makes it the newest: the case passes to the wrong organisation', async () => {
    const caseId = 'CM16-0000410';
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/beta/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/gamma/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/beta/copy-${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, 'junk');
    // beta corroborated first: the case passes to it.
    expect((await getStoredDetermination(stack.table, caseId))?.owner).toBe('beta');
  });
});

describe('D6: keeping the published record drops a copy the operator never saw', () => {
  it('D6: a different copy re-uploaded under the same key while --keep runs is dropped unseen', async () => {
    const caseId = 'CM16-0000411';
    const malloryKey = `uploads/mallory/${caseId}.txt`;
    await uploadAndWait(stack, `uploads/acme/${caseId}.txt`, letter(caseId));
    await uploadAndWait(stack, malloryKey, letter(caseId, { items: flipped }));
    const third = [{ ...flipped[0]!, decision: 'Upheld' as const }, ...flipped.slice(1)];
    let raced = false;
    const operator = hooked(async (cmd) => {
      if (!raced && skOfDelete(cmd)?.startsWith('HELD#')) {
        raced = true;
        expect(
          (await uploadAndWait(stack, malloryKey, letter(caseId, { items: third }))).status,
        ).toBe('conflict');
      }
    });
    expect(await keepPublished(operator, caseId)).toEqual({
      kind: 'kept',
      dropped: 0,
      changed: 1,
    });
    expect(raced).toBe(true);
    // The operator settled the copy it listed, not the newer one that arrived meanwhile.
    expect(
      (await listConflicts(stack.table)).conflicts
        .filter((c) => c.caseId === caseId)
        .map((c) => c.organisation),
    ).toEqual(['mallory']);
  });
});
