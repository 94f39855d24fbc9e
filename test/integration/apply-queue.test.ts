import {
  TransactWriteItemsCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { createLogger } from '../../shared/logger.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import { counterDeltas, indexEntries } from '../../shared/store/contribution.ts';
import {
  applyQueued,
  changeJobPut,
  decodeChanges,
  oldestQueued,
  encodeChanges,
  ENTRY_WRITE_WINDOW_MS,
  MIN_BATCH_INTERVAL_MS,
  WRITES_PER_BATCH,
} from '../../shared/store/apply-queue.ts';
import { putDetermination } from '../../shared/store/determinations.ts';
import { laneLedgerKey } from '../../shared/store/keys.ts';
import type { TableDeps } from '../../shared/store/table.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import {
  ageBatch,
  casesInLane,
  holdLane as holdLaneOf,
  releaseLane as releaseLaneOf,
} from '../support/lanes.ts';
import { scanTable, snapshot } from '../support/store.ts';

// Index entries and counters are written per batch by the lane's applier
// (shared/store/apply-queue.ts), against the real DynamoDB Local: counters exactly once whatever
// dies or runs twice, one update per counter and batch, entries as each record stands, and no
// batch sooner than MIN_BATCH_INTERVAL_MS after the last.

let stack: LocalStack;
const LANE = 1;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: null, logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await stack?.stop();
});

/** A fresh case number whose counters fall in LANE. */
const caseInLane = casesInLane('CM19', LANE);

/** The table through a client that counts requests by kind and may die at one of them. */
function watched(dieAt?: { kind: string; nth: number }): {
  deps: TableDeps;
  count: (kind: string) => number;
  sent: Parameters<DynamoDBClient['send']>[0][];
} {
  const seen = new Map<string, number>();
  const sent: Parameters<DynamoDBClient['send']>[0][] = [];
  const client = {
    send: async (command: Parameters<DynamoDBClient['send']>[0]) => {
      sent.push(command);
      const kind = command.constructor.name;
      const n = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, n);
      if (dieAt?.kind === kind && dieAt.nth === n) throw new Error(`died at ${kind} ${n}`);
      return stack.dynamodb.send(command);
    },
  } as unknown as DynamoDBClient;
  return {
    deps: { client, tableName: stack.tableName },
    count: (kind) => seen.get(kind) ?? 0,
    sent,
  };
}

async function write(deps: TableDeps, id: string, decisions: ('Upheld' | 'Overturned')[]) {
  const items = SPEC.items.map((item, i) => ({ ...item, decision: decisions[i]! }));
  const record = parseLetterText(
    renderLetter({ ...SPEC, caseNumber: id, items }, { layout: 'full-letter' }),
    'x.txt',
  );
  await putDetermination(deps, {
    id,
    record,
    contentHash: `${id}:${decisions.join(',')}`,
    organisation: 'acme',
    sourceKey: `uploads/acme/${id}.txt`,
    sequencer: '0'.repeat(32),
    now: new Date().toISOString(),
  });
  return record;
}

const holdLane = (): Promise<void> => holdLaneOf(stack, LANE);
const releaseLane = (): Promise<void> => releaseLaneOf(stack, LANE);

/** Queues `n` letters' counters in LANE without applying them: their writers find it held. */
async function queueLetters(n: number): Promise<void> {
  await holdLane();
  const quick = { ...stack.table, queue: { waitMs: 0 } };
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      write(
        quick,
        caseInLane(),
        i % 2 === 0 ? ['Upheld', 'Overturned', 'Upheld'] : ['Overturned', 'Overturned', 'Upheld'],
      ),
    ),
  );
}

async function expectExact(): Promise<void> {
  const snap = await snapshot(stack);
  expect(snap.queued).toBe(0);
  const diff = [...snap.recount].filter(([k, v]) => snap.counters.get(k) !== v);
  expect(diff.map(([k, v]) => `${k}: ${snap.counters.get(k)} vs ${v}`)).toEqual([]);
  expect(snap.counters).toEqual(snap.recount);
  expect(snap.indexEntries).toEqual(snap.expectedIndexEntries);
}

beforeEach(async () => {
  await expectExact();
});

describe('the counter queue', () => {
  it('queues a letter whose lane is busy, and applies it with the next batch', async () => {
    await queueLetters(1);
    const queued = await snapshot(stack);
    expect(queued.queued).toBe(2); // the job, and the other applier's batch
    expect(queued.counters).not.toEqual(queued.recount);
    // The other applier died: its batch goes stale, and the next call takes it over.
    expect(await applyQueued({ ...stack.table, queue: { staleAfterMs: 0 } }, LANE)).toBe('empty');
    await expectExact();
  });

  it('sums a batch of letters into one update per counter', async () => {
    await queueLetters(12);
    const jobs = (await scanTable(stack)).filter((i) => i['type'] === 'change-job');
    expect(jobs).toHaveLength(12);
    const distinct = new Set(
      jobs.flatMap((j) =>
        decodeChanges(j['changes'] as Uint8Array).deltas.map((d) => `${d.PK}|${d.SK}`),
      ),
    );
    const perLetter = jobs.reduce(
      (n, j) => n + decodeChanges(j['changes'] as Uint8Array).deltas.length,
      0,
    );
    const { deps, count } = watched();
    expect(await applyQueued({ ...deps, queue: { staleAfterMs: 0 } }, LANE)).toBe('empty');
    // One update per distinct counter, the batch's start and end, and the take-over and end of
    // the stale batch: far fewer than one update per counter and letter.
    expect(count('UpdateItemCommand')).toBe(distinct.size + 4);
    expect(distinct.size).toBeLessThan(perLetter / 4);
    await expectExact();
  });

  it('holds a batch to WRITES_PER_BATCH writes, however many jobs are queued', async () => {
    await queueLetters(60);
    const jobs = (await scanTable(stack)).filter((i) => i['type'] === 'change-job');
    const weight = new Map(jobs.map((j) => [String(j['SK']), Number(j['weight'])]));
    expect([...weight.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(WRITES_PER_BATCH);
    const { deps, sent } = watched();
    expect(await applyQueued({ ...deps, queue: { staleAfterMs: 0 } }, LANE)).toBe('empty');
    const batches = sent
      .map(
        (c) =>
          (c.input as { ExpressionAttributeValues?: Record<string, AttributeValue> })
            .ExpressionAttributeValues?.[':keys']?.L,
      )
      .filter((keys) => keys !== undefined)
      .map((keys) => keys.map((k) => weight.get(k.S!) ?? 0).reduce((a, b) => a + b, 0));
    expect(batches.length).toBeGreaterThan(1);
    for (const w of batches) expect(w).toBeLessThanOrEqual(WRITES_PER_BATCH);
    // And the lane started them at least MIN_BATCH_INTERVAL_MS apart.
    const starts = sent
      .map(
        (c) =>
          (c.input as { ExpressionAttributeValues?: Record<string, AttributeValue> })
            .ExpressionAttributeValues,
      )
      .filter((v) => v?.[':keys'] !== undefined)
      .map((v) => Number(v![':now']!.N));
    for (let i = 1; i < starts.length; i++) {
      expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(MIN_BATCH_INTERVAL_MS);
    }
    await expectExact();
  });

  it('lets one applier at a time take a stale batch over', async () => {
    await queueLetters(2);
    // The other applier's batch is 31 s old: stale.
    await ageBatch(stack, LANE, 31_000);
    const won: string[] = [];
    const client = {
      send: async (command: Parameters<DynamoDBClient['send']>[0]) => {
        const out = await stack.dynamodb.send(command);
        const update = (command.input as { UpdateExpression?: string }).UpdateExpression;
        if (update === 'SET since = :now') won.push(update);
        return out;
      },
    } as unknown as DynamoDBClient;
    const takers = { client, tableName: stack.tableName, queue: { waitMs: 2_000 } };
    const outcomes = await Promise.all([applyQueued(takers, LANE), applyQueued(takers, LANE)]);
    expect(won).toHaveLength(1);
    expect(outcomes).toContain('empty');
    await expectExact();
  });

  it('writes no index entry once its batch is 20 s old, leaving the batch to be taken over', async () => {
    const id = caseInLane();
    const base = SPEC.items[0]!;
    const items = Array.from({ length: 100 }, (_, i) => ({
      ...base,
      request: Array.from({ length: 12 }, (_, w) => `w${i}x${w}`).join(' '),
    }));
    const record = parseLetterText(
      renderLetter({ ...SPEC, caseNumber: id, items }, { layout: 'full-letter' }),
      'x.txt',
    );
    await holdLane();
    await putDetermination(
      { ...stack.table, queue: { waitMs: 0 } },
      {
        id,
        record,
        contentHash: `${id}:big`,
        organisation: 'acme',
        sourceKey: `uploads/acme/${id}.txt`,
        sequencer: '0'.repeat(32),
        now: new Date().toISOString(),
      },
    );
    // The applier's first entry writes are held until its clock has moved 21 s on.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entryWrites = 0;
    const client = {
      send: async (command: Parameters<DynamoDBClient['send']>[0]) => {
        if (
          command.constructor.name === 'BatchWriteItemCommand' &&
          JSON.stringify(command.input).includes('"IX#')
        ) {
          entryWrites++;
          await gate;
        }
        return stack.dynamodb.send(command);
      },
    } as unknown as DynamoDBClient;
    const applying = applyQueued(
      { client, tableName: stack.tableName, queue: { staleAfterMs: 0 } },
      LANE,
    );
    while (entryWrites === 0) await new Promise((r) => setTimeout(r, 5));
    const real = Date.now;
    const later = vi
      .spyOn(Date, 'now')
      .mockImplementation(() => real() + ENTRY_WRITE_WINDOW_MS + 1_000);
    release();
    try {
      expect(await applying).toBe('busy');
    } finally {
      later.mockRestore();
    }
    const sent = entryWrites;
    expect(sent).toBeLessThan(Math.ceil(indexEntries(id, record).length / 25));
    expect((await snapshot(stack)).queued).toBeGreaterThan(0);
    // Taken over, the batch is applied in full.
    expect(await applyQueued({ ...stack.table, queue: { staleAfterMs: 0 } }, LANE)).toBe('empty');
    await expectExact();
  });

  it('counts a batch once when its applier dies half-way and two others take it over at once', async () => {
    await queueLetters(6);
    const takeOver = { queue: { staleAfterMs: 0 } };
    // Past the stale batch, into the letters' own batch: its start, then 9 counters, then death.
    const dying = watched({ kind: 'UpdateItemCommand', nth: 12 });
    await expect(applyQueued({ ...dying.deps, ...takeOver }, LANE)).rejects.toThrow(
      'died at UpdateItemCommand 12',
    );
    expect((await snapshot(stack)).counters).not.toEqual((await snapshot(stack)).recount);
    const outcomes = await Promise.all([
      applyQueued({ ...stack.table, ...takeOver }, LANE),
      applyQueued({ ...stack.table, ...takeOver }, LANE),
    ]);
    expect(outcomes).toContain('empty');
    await expectExact();
  });

  it('counts a batch once when its applier dies after deleting its jobs', async () => {
    await queueLetters(3);
    const dying = watched({ kind: 'BatchWriteItemCommand', nth: 2 });
    await expect(applyQueued({ ...dying.deps, queue: { staleAfterMs: 0 } }, LANE)).rejects.toThrow(
      'died at BatchWriteItemCommand 2',
    );
    expect(await applyQueued({ ...stack.table, queue: { staleAfterMs: 0 } }, LANE)).toBe('empty');
    await expectExact();
  });

  it('waits for another applier of the lane, and leaves its job queued past the wait', async () => {
    await holdLane();
    const started = Date.now();
    await write({ ...stack.table, queue: { waitMs: 300 } }, caseInLane(), [
      'Upheld',
      'Upheld',
      'Upheld',
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect((await snapshot(stack)).queued).toBe(2);
    // The holder finishes; the next letter of the lane applies both.
    await releaseLane();
    await write(stack.table, caseInLane(), ['Overturned', 'Upheld', 'Upheld']);
    await expectExact();
  });

  it('starts no batch sooner than the interval after the last, so a counter takes at most 10 updates a second', async () => {
    const ledgerSeq = async (): Promise<number> =>
      Number(
        (await scanTable(stack)).find((i) => i['PK'] === laneLedgerKey(LANE).PK)?.['seq'] ?? 0,
      );
    const before = await ledgerSeq();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 24 }, () =>
        write(stack.table, caseInLane(), ['Upheld', 'Overturned', 'Upheld']),
      ),
    );
    const elapsed = Date.now() - started;
    const batches = (await ledgerSeq()) - before;
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThanOrEqual(Math.floor(elapsed / MIN_BATCH_INTERVAL_MS) + 1);
    expect(batches).toBeLessThan(24);
    await expectExact();
  });
});

describe('the scheduled sweep (functions/schedule-apply-queued.ts)', () => {
  it('applies what no writer applied, and fails when a lane has not drained for 5 minutes', async () => {
    process.env['TABLE_NAME'] = stack.tableName;
    process.env['IMR_DYNAMODB_ENDPOINT'] = stack.dynamodbEndpoint;
    process.env['LOG_LEVEL'] = 'silent';
    const { handler } = await import('../../functions/schedule-apply-queued.ts');
    const context = { getRemainingTimeInMillis: () => 60_000 } as Context;
    await queueLetters(2);
    expect((await oldestQueued(stack.table))[LANE]).not.toBeNull();
    // The holder of the lane's batch died 31 s ago: the sweep takes over and drains the lane.
    await ageBatch(stack, LANE, 31_000);
    expect((await handler({}, context))[LANE]).toBe('empty');
    expect(await oldestQueued(stack.table)).toEqual([null, null, null, null]);
    await expectExact();
    // A job queued 10 minutes ago behind a batch that is not stale (its holder alive but stuck).
    await holdLane();
    await stack.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          changeJobPut(stack.tableName, {
            lane: LANE,
            id: caseInLane(),
            claim: 'c',
            queuedAt: new Date(Date.now() - 10 * 60_000).toISOString(),
            changes: { deltas: [], drop: [] },
            weight: 0,
          }),
        ],
      }),
    );
    await expect(handler({}, context)).rejects.toThrow(/queued since .* not applied/);
    await releaseLane();
    expect((await handler({}, context))[LANE]).toBe('empty');
    await expectExact();
  });
});

describe('a change job', () => {
  it('round-trips the counters and dropped entries of a letter, compressed', async () => {
    const id = caseInLane();
    const record = parseLetterText(
      renderLetter({ ...SPEC, caseNumber: id }, { layout: 'full-letter' }),
      'x.txt',
    );
    const changes = {
      deltas: counterDeltas(id, record),
      drop: indexEntries(id, record).map((e) => ({ PK: e.PK, SK: e.SK })),
    };
    const encoded = encodeChanges(changes);
    expect(decodeChanges(encoded)).toEqual(changes);
    expect(encoded.length).toBeLessThan(JSON.stringify(changes).length / 3);
  });
});

describe('a local stack with a sweep (npm start)', () => {
  it('applies, within its period, a batch abandoned half-way once it is stale', async () => {
    const swept = await startLocalStack({
      dataDir: null,
      logger: createLogger({ level: 'silent' }),
      sweepEveryMs: 100,
    });
    try {
      // A batch taken 31 s ago by an applier that died in an outage, and a letter queued behind it.
      await holdLaneOf(swept, LANE);
      await ageBatch(swept, LANE, 31_000);
      const id = caseInLane();
      const items = SPEC.items.map((item) => ({ ...item, decision: 'Upheld' as const }));
      await putDetermination(
        { ...swept.table, queue: { waitMs: 0, staleAfterMs: 60_000 } },
        {
          id,
          record: parseLetterText(
            renderLetter({ ...SPEC, caseNumber: id, items }, { layout: 'full-letter' }),
            'x.txt',
          ),
          contentHash: id,
          organisation: 'acme',
          sourceKey: `uploads/acme/${id}.txt`,
          sequencer: '0'.repeat(32),
          now: new Date().toISOString(),
        },
      );
      expect((await oldestQueued(swept.table))[LANE]).not.toBeNull();
      const deadline = Date.now() + 5_000;
      while ((await oldestQueued(swept.table))[LANE] !== null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      const snap = await snapshot(swept);
      expect(snap.queued).toBe(0);
      expect(snap.counters).toEqual(snap.recount);
      expect(snap.indexEntries).toEqual(snap.expectedIndexEntries);
    } finally {
      await swept.stop();
    }
  });
});
