import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { createLogger } from '../../shared/logger.ts';
import { parseLetterText } from '../../shared/parser/parse-letter.ts';
import {
  completePending,
  putDetermination,
  removeDetermination,
} from '../../shared/store/determinations.ts';
import { getStoredDetermination } from '../../shared/store/stored-determination.ts';
import { type TableDeps } from '../../shared/store/table.ts';
import { renderLetter } from '../../synthetic/render-letter.ts';
import { SPEC } from '../fixtures/synthetic-letter.ts';
import { snapshot } from '../support/store.ts';

// A writer can die between any two requests, or after a request took effect but before it saw
// the answer (a Lambda timeout, a lost connection). Whatever the point, the next attempt must
// leave the table exactly as one clean write would. The real DynamoDB Local does the work; the
// wrapper only stops the writer at the chosen request.

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: null, logger: createLogger({ level: 'silent' }) });
});

afterAll(async () => {
  await stack?.stop();
});

class Crash extends Error {}

/**
 * The table, through a client that dies at request `at` (its number, or the first request of a
 * kind: "BatchWriteItemCommand"), before or after sending it.
 */
function dyingAt(at: number | string, when: 'before' | 'after'): TableDeps {
  let n = 0;
  let dead = false;
  const real = stack.dynamodb;
  const client = {
    send: async (command: Parameters<DynamoDBClient['send']>[0]) => {
      n++;
      const here = !dead && (at === n || at === command.constructor.name);
      if (here) dead = true;
      if (here && when === 'before') throw new Crash(`died before request ${at}`);
      const out = await real.send(command);
      if (here) throw new Crash(`died after request ${at}`);
      return out;
    },
  } as unknown as DynamoDBClient;
  return { client, tableName: stack.tableName };
}

/**
 * The table for the next attempt: it comes after the dead writer's batch of counters went stale,
 * so it takes that batch over at once (apply-queue.ts) instead of waiting the 30 s out.
 */
function nextAttempt(): TableDeps {
  return { ...stack.table, queue: { staleAfterMs: 0 } };
}

function write(
  table: TableDeps,
  caseNumber: string,
  decisions: ('Upheld' | 'Overturned')[],
  sourceKey = `uploads/acme/${caseNumber}.txt`,
) {
  const items = SPEC.items.map((item, i) => ({ ...item, decision: decisions[i]! }));
  const record = parseLetterText(
    renderLetter({ ...SPEC, caseNumber, items }, { layout: 'full-letter' }),
    'x.txt',
  );
  return putDetermination(table, {
    id: caseNumber,
    record,
    contentHash: decisions.join(','),
    organisation: 'acme',
    sourceKey,
    sequencer: '0'.repeat(32),
    now: new Date().toISOString(),
  });
}

async function expectConsistent(): Promise<void> {
  const snap = await snapshot(stack);
  expect(snap.counters).toEqual(snap.recount);
  expect(snap.indexEntries).toEqual(snap.expectedIndexEntries);
  expect(snap.markers).toBe(0);
  expect(snap.queued).toBe(0);
  for (const d of snap.determinations.values()) expect(d.state).toBe('complete');
}

describe('a writer that dies part-way', () => {
  // A replacement takes 10 requests to queue its counters and start their batch (read, claim,
  // entries, two reads to sort held copies, finish with the job, the lane's ledger, its queue,
  // the batch's start, the first counter), then one update per counter, the jobs' deletion, the
  // ledger's end and a last look at the queue. Stopping at each of the first 11 and at each step
  // after the counters covers every step.
  const points: (number | string)[] = [
    ...Array.from({ length: 11 }, (_, i) => i + 1),
    'BatchWriteItemCommand',
  ];
  for (const when of ['before', 'after'] as const) {
    for (const at of points) {
      it(`is completed by the next attempt when it dies ${when} request ${at}`, async () => {
        const n = typeof at === 'number' ? at : 50;
        const caseNumber = `CM16-${String(700000 + n * 10 + (when === 'after' ? 1 : 0)).padStart(7, '0')}`;
        // First version, then a replacement that dies, then the retry of that replacement.
        await write(stack.table, caseNumber, ['Upheld', 'Upheld', 'Upheld']);
        await write(dyingAt(at, when), caseNumber, ['Overturned', 'Upheld', 'Overturned']).catch(
          (e: unknown) => {
            if (!(e instanceof Crash)) throw e;
          },
        );
        // The retry completes whatever the dead writer left, finds its own upload stored and
        // reports what that upload did; the same content from another key is a duplicate.
        const again = (key?: string) =>
          write(nextAttempt(), caseNumber, ['Overturned', 'Upheld', 'Overturned'], key);
        expect(await again()).toBe('replaced');
        expect(await again()).toBe('replaced');
        expect(await again(`uploads/other/${caseNumber}.txt`)).toBe('duplicate');
        const stored = await getStoredDetermination(stack.table, caseNumber);
        expect(stored?.record?.issues.map((i) => i.decision)).toEqual([
          'overturned',
          'upheld',
          'overturned',
        ]);
        await expectConsistent();
      });
    }
  }
});

describe('a writer that stalls holding an old claim', () => {
  it('cannot apply its work to a later claim of the same version number', async () => {
    const caseNumber = 'CM16-0709999';
    // Version 1 of the case is claimed and left pending by a writer that dies after its claim.
    await write(dyingAt(2, 'after'), caseNumber, ['Upheld', 'Upheld', 'Upheld']).catch(
      () => undefined,
    );
    const stale = await getStoredDetermination(stack.table, caseNumber);
    expect(stale?.state).toBe('pending');
    // Others complete it, the case is removed, and claimed again: version 1 once more.
    await write(stack.table, caseNumber, ['Upheld', 'Upheld', 'Upheld']);
    expect(
      await removeDetermination(stack.table, {
        id: caseNumber,
        sourceKey: `uploads/acme/${caseNumber}.txt`,
        contentHash: 'Upheld,Upheld,Upheld',
        now: new Date().toISOString(),
      }),
    ).toBe(true);
    await write(dyingAt(2, 'after'), caseNumber, ['Overturned', 'Overturned', 'Upheld']).catch(
      () => undefined,
    );
    expect((await getStoredDetermination(stack.table, caseNumber))?.version).toBe(stale?.version);
    // The stalled writer wakes up and tries to finish its old claim: nothing may happen.
    await completePending(stack.table, stale!, new Date().toISOString());
    await write(stack.table, caseNumber, ['Overturned', 'Overturned', 'Upheld']);
    const stored = await getStoredDetermination(stack.table, caseNumber);
    expect(stored?.record?.issues.map((i) => i.decision)).toEqual([
      'overturned',
      'overturned',
      'upheld',
    ]);
    await expectConsistent();
  });
});
