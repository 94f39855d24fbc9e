import {
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { createLogger } from '../../shared/logger.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { toItem, type Plain } from '../../shared/store/attributes.ts';
import { indexEntries } from '../../shared/store/contribution.ts';
import { applyQueued, setAsideCount, WRITES_PER_BATCH } from '../../shared/store/apply-queue.ts';
import { putDetermination } from '../../shared/store/determinations.ts';
import type { TableDeps } from '../../shared/store/table.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import {
  casesInLane,
  holdLane as holdLaneOf,
  releaseLane as releaseLaneOf,
  setLedger as setLedgerOf,
} from '../support/lanes.ts';
import { scanTable, snapshot } from '../support/store.ts';

// The lane applier (shared/store/apply-queue.ts) against what reviewers found: an applier taken
// over that wakes up, cases that grew after their jobs were queued, a version left pending by the
// release that wrote entries and counters in per-letter transactions, a job that cannot be
// applied, and a job deleted by hand from a batch under way.

let stack: LocalStack;
const LANE = 2;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: null, logger: createLogger({ level: 'silent' }) });
});
afterAll(async () => {
  await stack?.stop();
});

const caseInLane = casesInLane('CM18', LANE);

type Cmd = Parameters<DynamoDBClient['send']>[0];
/** A client that stops (awaits a gate) before sending any request that `match` picks, until released. */
function gated(match: (c: Cmd) => boolean): {
  deps: TableDeps;
  reached: Promise<void>;
  release: () => void;
} {
  let reach!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let fired = false;
  const client = {
    send: async (c: Cmd) => {
      if (match(c)) {
        if (!fired) reach();
        fired = true;
        await gate;
      }
      return stack.dynamodb.send(c);
    },
  } as unknown as DynamoDBClient;
  return { deps: { client, tableName: stack.tableName }, reached, release };
}

function letter(id: string, decisions: ('Upheld' | 'Overturned')[]) {
  const items = SPEC.items.map((item, i) => ({ ...item, decision: decisions[i]! }));
  return parseLetterText(
    renderLetter({ ...SPEC, caseNumber: id, items }, { layout: 'full-letter' }),
    'x.txt',
  );
}

async function write(deps: TableDeps, id: string, record: ReturnType<typeof letter>, tag: string) {
  return putDetermination(deps, {
    id,
    record,
    contentHash: `${id}:${tag}`,
    organisation: 'acme',
    sourceKey: `uploads/acme/${id}.txt`,
    sequencer: '0'.repeat(32),
    now: new Date().toISOString(),
  });
}

const setLedger = (update: string, values?: Record<string, Plain>): Promise<void> =>
  setLedgerOf(stack, LANE, update, values);
const holdLane = (): Promise<void> => holdLaneOf(stack, LANE);
const releaseLane = (): Promise<void> => releaseLaneOf(stack, LANE);

const isBatchWrite = (c: Cmd, pred: (pk: string, put: boolean) => boolean): boolean => {
  if (c.constructor.name !== 'BatchWriteItemCommand') return false;
  const reqs = Object.values(
    (
      c.input as {
        RequestItems: Record<
          string,
          {
            PutRequest?: { Item: Record<string, AttributeValue> };
            DeleteRequest?: { Key: Record<string, AttributeValue> };
          }[]
        >;
      }
    ).RequestItems,
  ).flat();
  return reqs.some((r) =>
    pred(
      String((r.PutRequest?.Item ?? r.DeleteRequest?.Key)!['PK']!.S),
      r.PutRequest !== undefined,
    ),
  );
};

describe('two appliers of one batch', () => {
  for (const [name, third] of [
    ["leaves an old version's entries (stale)", ['Overturned', 'Overturned', 'Overturned']],
    ['deletes entries the current version has (missing)', ['Upheld', 'Upheld', 'Upheld']],
  ] as const)
    it(`a superseded applier that clears the ledger lets a later batch run under the taker-over, which ${name}`, async () => {
      const id = caseInLane();
      const v1 = letter(id, ['Upheld', 'Upheld', 'Upheld']);
      const v2 = letter(id, ['Upheld', 'Overturned', 'Upheld']);
      const v3 = letter(id, [...third]);
      await write(stack.table, id, v1, 'v1');
      // v2's job queued, not applied.
      await holdLane();
      await write({ ...stack.table, queue: { waitMs: 0 } }, id, v2, 'v2');
      await releaseLane();

      // A takes the batch, writes counters and entries in its window, then stalls before deleting
      // the jobs (throttling, GC, network) for more than staleAfterMs.
      const a = gated((c) => isBatchWrite(c, (pk) => pk.startsWith('QUEUE#')));
      const aDone = applyQueued(a.deps, LANE);
      await a.reached;
      // 31 s pass (the ledger's `since` moved back instead of waiting them out).
      await setLedger('SET since = since - :d', { ':d': 31_000 });

      // B takes the stale batch over (default staleAfterMs), reads the record (v2), and is about to
      // write v2's entries.
      const b = gated((c) => isBatchWrite(c, (pk, put) => put && pk.startsWith('IX#')));
      const bDone = applyQueued(b.deps, LANE);
      await b.reached;

      // A wakes: deletes the jobs and clears the ledger, although B holds the batch now.
      a.release();
      // Its window closed: it leaves the batch to the taker.
      expect(await aDone).toBe('busy');

      // v3 is written and applied in the next batch, while B is still in its batch.
      const v3Done = write(stack.table, id, v3, 'v3');
      const first = await Promise.race([
        v3Done.then(() => 'v3 applied while B still holds its batch'),
        new Promise((r) => setTimeout(() => r('v3 waited for B'), 1_500)),
      ]);
      b.release();
      await Promise.all([v3Done, bDone]);
      await applyQueued(stack.table, LANE);

      const snap = await snapshot(stack);
      const stale = [...snap.indexEntries].filter(
        (e) => e.includes(id) && !snap.expectedIndexEntries.has(e),
      );
      const missing = [...snap.expectedIndexEntries].filter(
        (e) => e.includes(id) && !snap.indexEntries.has(e),
      );
      expect({ first, stale, missing }).toEqual({
        first: 'v3 waited for B',
        stale: [],
        missing: [],
      });
    });
});

describe("a batch's writes", () => {
  it('stays within WRITES_PER_BATCH when the cases it touches have since grown', async () => {
    const base = SPEC.items[0]!;
    const big = (id: string) =>
      parseLetterText(
        renderLetter(
          {
            ...SPEC,
            caseNumber: id,
            items: Array.from({ length: 100 }, (_, i) => ({
              ...base,
              request: Array.from({ length: 12 }, (_, w) => `w${i}x${w}`).join(' '),
            })),
          },
          { layout: 'full-letter' },
        ),
        'x.txt',
      );
    const small = (id: string) =>
      parseLetterText(
        renderLetter({ ...SPEC, caseNumber: id, items: [base] }, { layout: 'full-letter' }),
        'x.txt',
      );
    const ids = Array.from({ length: 6 }, () => caseInLane());
    const quick = { ...stack.table, queue: { waitMs: 0 } };
    await holdLane();
    for (const id of ids) await write(quick, id, small(id), 'small');
    for (const id of ids) await write(quick, id, big(id), 'big');
    await releaseLane();
    expect(indexEntries(ids[0]!, big(ids[0]!)).length).toBeGreaterThan(1_000);

    // Count the writes of the first batch: counters and entry puts/deletes.
    let batch = 0;
    const writes = new Map<number, number>();
    const client = {
      send: async (c: Cmd) => {
        const input = c.input as {
          ExpressionAttributeValues?: Record<string, AttributeValue>;
          RequestItems?: Record<
            string,
            {
              PutRequest?: { Item: Record<string, AttributeValue> };
              DeleteRequest?: { Key: Record<string, AttributeValue> };
            }[]
          >;
          Key?: Record<string, AttributeValue>;
        };
        if (input.ExpressionAttributeValues?.[':keys'] !== undefined) batch++;
        let n = 0;
        if (
          c.constructor.name === 'UpdateItemCommand' &&
          input.Key?.['PK']?.S?.startsWith('STATS#')
        )
          n = 1;
        if (c.constructor.name === 'BatchWriteItemCommand') {
          n = Object.values(input.RequestItems!)
            .flat()
            .filter((r) =>
              String((r.PutRequest?.Item ?? r.DeleteRequest?.Key)!['PK']!.S).startsWith('IX#'),
            ).length;
        }
        writes.set(batch, (writes.get(batch) ?? 0) + n);
        return stack.dynamodb.send(c);
      },
    } as unknown as DynamoDBClient;
    const outcome = await applyQueued(
      { client, tableName: stack.tableName, queue: { waitMs: 0 } },
      LANE,
    );
    expect(outcome).toBe('empty');
    expect(writes.size).toBeGreaterThan(1);
    for (const [, n] of writes) expect(n).toBeLessThanOrEqual(WRITES_PER_BATCH);
  }, 120_000);
});

describe('a version left pending by the previous release (per-letter transactions)', () => {
  it('is completed without counting again what its chunks already counted, and leaves no marker', async () => {
    const { PutItemCommand, BatchWriteItemCommand } = await import('@aws-sdk/client-dynamodb');
    const { storedItem, entryItem } = await import('../../shared/store/stored-determination.ts');
    const { counterDeltas, mergeDeltas } = await import('../../shared/store/contribution.ts');
    const { chunk } = await import('../../shared/concurrency.ts');
    const id = caseInLane();
    const v1 = letter(id, ['Upheld', 'Upheld', 'Upheld']);
    const v2 = letter(id, ['Overturned', 'Overturned', 'Overturned']);
    await write(stack.table, id, v1, 'v1');
    const now = new Date().toISOString();
    // What 607d52a's writer of v2 leaves when it dies after its chunk transactions and before
    // its finish: the pending claim, v2's entries and counter changes applied, one marker a chunk.
    await stack.dynamodb.send(
      new PutItemCommand({
        TableName: stack.tableName,
        Item: storedItem(
          {
            caseId: id,
            state: 'pending',
            version: 2,
            claim: 'old-release-claim',
            outcome: 'replaced',
            contentHash: `${id}:v2`,
            owner: 'acme',
            sourceKey: `uploads/acme/${id}.txt`,
            sourceSequencer: '0'.repeat(32),
            record: v2,
            previous: v1,
            previousSource: null,
          },
          now,
        ),
      }),
    );
    const added = indexEntries(id, v2);
    const keep = new Set(added.map((e) => `${e.PK}\u0000${e.SK}`));
    const removed = indexEntries(id, v1).filter((e) => !keep.has(`${e.PK}\u0000${e.SK}`));
    const deltas = mergeDeltas(counterDeltas(id, v2, 1), counterDeltas(id, v1, -1));
    for (const slice of chunk(
      [
        ...added.map((e) => ({ PutRequest: { Item: entryItem(e) } })),
        ...removed.map((e) => ({ DeleteRequest: { Key: toItem({ PK: e.PK, SK: e.SK }) } })),
      ],
      25,
    ))
      await stack.dynamodb.send(
        new BatchWriteItemCommand({ RequestItems: { [stack.tableName]: slice } }),
      );
    for (const d of deltas)
      await stack.dynamodb.send(
        new UpdateItemCommand({
          TableName: stack.tableName,
          Key: toItem({ PK: d.PK, SK: d.SK }),
          UpdateExpression: 'ADD upheld :u, overturned :o',
          ExpressionAttributeValues: toItem({ ':u': d.upheld, ':o': d.overturned }),
        }),
      );
    const chunks = Math.ceil((added.length + removed.length + deltas.length) / 98);
    for (let i = 0; i < chunks; i++)
      await stack.dynamodb.send(
        new PutItemCommand({
          TableName: stack.tableName,
          Item: toItem({ PK: `CASE#${id}`, SK: `OP#old-release-claim#${i}`, type: 'marker' }),
        }),
      );
    // SQS redelivers the upload to the new release: it completes the pending version.
    expect(await write(stack.table, id, v2, 'v2')).toBe('replaced');
    const snap = await snapshot(stack);
    const diff = [...snap.recount]
      .filter(([k, v]) => snap.counters.get(k) !== v)
      .map(([k, v]) => `${k.replace('\u0000', ' ')}: ${snap.counters.get(k)} vs ${v}`);
    expect({ markers: snap.markers, diff: diff.slice(0, 5) }).toEqual({ markers: 0, diff: [] });
  });
});

describe('a job that cannot be applied', () => {
  it('is set aside with why, and the rest of its lane is applied', async () => {
    const good = caseInLane();
    await holdLane();
    await write(
      { ...stack.table, queue: { waitMs: 0 } },
      good,
      letter(good, ['Upheld', 'Upheld', 'Upheld']),
      'a',
    );
    // A job the applier cannot decode, queued before the good one.
    await stack.dynamodb.send(
      new PutItemCommand({
        TableName: stack.tableName,
        Item: toItem({
          PK: `QUEUE#${LANE}`,
          SK: '2000-01-01T00:00:00.000Z#BAD#claim',
          type: 'change-job',
          caseId: 'BAD',
          claim: 'claim',
          changes: new Uint8Array([1, 2, 3]),
          weight: 1,
        }),
      }),
    );
    await releaseLane();
    expect(await applyQueued(stack.table, LANE)).toBe('empty');
    const snap = await snapshot(stack);
    expect(snap.queued).toBe(0);
    expect(snap.counters).toEqual(snap.recount);
    expect(snap.indexEntries).toEqual(snap.expectedIndexEntries);
    expect(await setAsideCount(stack.table)).toEqual(
      [0, 0, 0, 0].map((n, l) => (l === LANE ? 1 : n)),
    );
    const aside = (await scanTable(stack)).find((i) => i['type'] === 'set-aside-job')!;
    expect(aside).toMatchObject({ SK: '2000-01-01T00:00:00.000Z#BAD#claim', caseId: 'BAD' });
    expect(String(aside['problem'])).toMatch(/^job unreadable: /);
    // The sweep reports it (its failure is what the alarm counts) until an operator clears it.
    await stack.dynamodb.send(
      new DeleteItemCommand({
        TableName: stack.tableName,
        Key: toItem({ PK: String(aside['PK']), SK: String(aside['SK']) }),
      }),
    );
  });

  it("leaves a batch's other jobs to be applied when one of them is deleted by hand", async () => {
    const a = caseInLane();
    const b = caseInLane();
    await holdLane();
    const quick = { ...stack.table, queue: { waitMs: 0 } };
    await write(quick, a, letter(a, ['Upheld', 'Upheld', 'Upheld']), 'a');
    await write(quick, b, letter(b, ['Overturned', 'Upheld', 'Upheld']), 'b');
    await releaseLane();
    // An applier takes the batch and dies before its first counter; an operator deletes one job.
    const jobs = (await scanTable(stack)).filter((i) => i['type'] === 'change-job');
    expect(jobs).toHaveLength(2);
    let started = false;
    const dying = {
      send: async (c: Parameters<DynamoDBClient['send']>[0]) => {
        if (started && c.constructor.name === 'UpdateItemCommand') throw new Error('died');
        const out = await stack.dynamodb.send(c);
        if ((c.input as { UpdateExpression?: string }).UpdateExpression?.startsWith('SET seq'))
          started = true;
        return out;
      },
    } as unknown as DynamoDBClient;
    await expect(applyQueued({ client: dying, tableName: stack.tableName }, LANE)).rejects.toThrow(
      'died',
    );
    const gone = jobs.find((j) => j['caseId'] === a)!;
    await stack.dynamodb.send(
      new DeleteItemCommand({
        TableName: stack.tableName,
        Key: toItem({ PK: String(gone['PK']), SK: String(gone['SK']) }),
      }),
    );
    expect(await applyQueued({ ...stack.table, queue: { staleAfterMs: 0 } }, LANE)).toBe('empty');
    const snap = await snapshot(stack);
    // b's job was applied in full; a's, deleted, is what an operator then re-queues (reparse).
    const ofB = [...snap.expectedIndexEntries].filter((e) => e.includes(b));
    expect(ofB.length).toBeGreaterThan(0);
    for (const e of ofB) expect(snap.indexEntries.has(e)).toBe(true);
    expect(snap.queued).toBe(0);
  });
});
