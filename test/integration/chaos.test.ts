import { PutItemCommand, UpdateItemCommand, DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { createLogger } from '../../shared/logger.ts';
import { receiptKey } from '../../shared/receipts/receipt.ts';
import { toItem } from '../../shared/store/attributes.ts';
import { audit, auditPassed, auditProblems, scanTable } from '../../scripts/chaos/audit.ts';
import { syntheticLetters, uploadAll } from '../../scripts/chaos/letters.ts';
import { runScenario, SCENARIOS, type ScenarioResult } from '../../scripts/chaos/scenarios.ts';
import { ingestIdleAfter } from '../support/store.ts';

// The fault scenarios of `npm run chaos` at a small scale, so CI proves their invariants: every
// uploaded object a determination or a recorded failure, every counter equal to a recount, no
// pending claim or marker left, every receipt equal to its status. The 2,000-letter runs are the
// script's (docs/RELIABILITY.md). The last block shows that the audit does catch a damaged table.

const LETTERS = 100;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'imr-chaos-test-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function run(n: number): Promise<ScenarioResult> {
  const result = await runScenario(SCENARIOS[n]!, {
    letters: LETTERS,
    dataDir,
    progress: () => undefined,
  });
  expect(auditProblems(result.audit)).toEqual([]);
  expect(result.wrong).toEqual([]);
  expect(auditPassed(result.audit)).toBe(true);
  return result;
}

describe('faults against the local stack', () => {
  it('DynamoDB Local killed mid-ingest and restarted: every letter ends ingested', async () => {
    const r = await run(0);
    expect(r.audit).toMatchObject({ uploaded: LETTERS, ingested: LETTERS, failures: 0 });
    expect(r.audit.determinations).toBe(LETTERS);
    // Killed part-way, and the outage was felt: messages failed and were delivered again.
    expect(r.figures['ingestedAtKill']).toBeLessThan(LETTERS);
    expect(r.figures['redeliveries']).toBeGreaterThan(0);
  }, 180_000);

  it('the npm start process killed mid-batch and restarted: every letter ends ingested', async () => {
    const r = await run(1);
    expect(r.audit).toMatchObject({ uploaded: LETTERS, ingested: LETTERS, failures: 0 });
    expect(r.figures['recordedAtKill']).toBeLessThan(LETTERS);
    // The restart queued again every upload without a status or receipt.
    expect(r.figures['requeued']).toBeGreaterThanOrEqual(LETTERS - r.figures['recordedAtKill']!);
  }, 240_000);

  it('events delivered two or three times, shuffled, older after newer: the final content counts', async () => {
    const r = await run(2);
    expect(r.figures['overwritten']).toBeGreaterThan(0);
    expect(r.figures['deliveries']).toBeGreaterThan(2 * r.figures['events']!);
    // Keys overwritten with an HTML page end failed; the others end a determination.
    expect(r.audit.failures).toBeGreaterThan(0);
    expect(r.audit.ingested + r.audit.failures).toBe(r.audit.uploaded);
  }, 180_000);

  it('objects deleted between their event and its read: recorded object-missing, nothing stored', async () => {
    const r = await run(3);
    const deleted = r.figures['deletedNew']! + r.figures['deletedOverwrite']!;
    expect(r.audit.failures).toBe(deleted);
    // Only the letters that were never deleted remain as determinations.
    expect(r.audit.determinations).toBe(r.audit.uploaded - deleted);
  }, 180_000);
});

describe('an outage longer than the retries', () => {
  it('parks messages as dead letters, and the redrive ingests every letter', async () => {
    const r = await run(4);
    expect(r.figures['deadLettered']).toBeGreaterThan(0);
    // A message can fail after its status and receipt were written (the receipt check reads
    // the status again): its upload is recorded, so the redrive has nothing to send for it.
    expect(r.figures['redriven']).toBeGreaterThan(0);
    expect(r.figures['redriven']).toBeLessThanOrEqual(r.figures['deadLettered']!);
    expect(r.audit.ingested).toBe(r.audit.uploaded);
  }, 240_000);
});

describe('the audit', () => {
  let stack: LocalStack;
  let keys: string[];

  beforeAll(async () => {
    stack = await startLocalStack({ dataDir: null, logger: createLogger({ level: 'silent' }) });
    const files = syntheticLetters(6, 'audit', 500_000);
    keys = files.map((f) => f.key);
    await uploadAll(stack.s3, stack.bucket, files);
    await ingestIdleAfter(stack, files.length);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const check = () => audit(stack, stack.s3, stack.bucket, keys);

  it('passes a clean table', async () => {
    expect(auditProblems(await check())).toEqual([]);
  });

  it('catches a counter one off, and passes again once it is put back', async () => {
    const counter = (await scanTable(stack)).find((i) => String(i['PK']).startsWith('STATS#'))!;
    const key = toItem({ PK: String(counter['PK']), SK: String(counter['SK']) });
    const add = (n: number) =>
      stack.dynamodb.send(
        new UpdateItemCommand({
          TableName: stack.tableName,
          Key: key,
          UpdateExpression: 'ADD upheld :n',
          ExpressionAttributeValues: { ':n': { N: String(n) } },
        }),
      );
    await add(1);
    const damaged = await check();
    expect(auditPassed(damaged)).toBe(false);
    expect(damaged.counterMismatches).toHaveLength(1);
    await add(-1);
    expect(auditPassed(await check())).toBe(true);
  });

  it('catches an upload without a status, a pending claim, a marker and a wrong receipt', async () => {
    const items = await scanTable(stack);
    const status = items.find((i) => i['type'] === 'upload' && i['key'] === keys[0])!;
    const determination = items.find((i) => i['type'] === 'determination')!;
    await stack.dynamodb.send(
      new DeleteItemCommand({
        TableName: stack.tableName,
        Key: toItem({ PK: String(status['PK']), SK: String(status['SK']) }),
      }),
    );
    await stack.dynamodb.send(
      new UpdateItemCommand({
        TableName: stack.tableName,
        Key: toItem({ PK: String(determination['PK']), SK: String(determination['SK']) }),
        UpdateExpression: 'SET #state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':pending': { S: 'pending' } },
      }),
    );
    await stack.dynamodb.send(
      new PutItemCommand({
        TableName: stack.tableName,
        Item: toItem({ PK: String(determination['PK']), SK: 'OP#x#0', type: 'marker' }),
      }),
    );
    await stack.s3.send(
      new PutObjectCommand({ Bucket: stack.bucket, Key: receiptKey(keys[1]!)!, Body: '{}' }),
    );
    const damaged = await check();
    expect(damaged.lost).toEqual([`${keys[0]} (no status)`]);
    expect(damaged.pending).toBe(1);
    expect(damaged.markers).toBe(1);
    expect(damaged.receiptMismatches).toEqual([`${keys[1]} (receipt unreadable)`]);
    expect(auditProblems(damaged)).toHaveLength(4);
  });
});
