import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createIngestHandler } from '../../functions/s3-ingest-letter.ts';
import type { LetterObjects } from '../../shared/ingest/letter-objects.ts';
import { createLogger } from '../../shared/logger.ts';

// The ingest's partial-batch contract with SQS, without a store: which messages it reports as
// failed (for SQS to deliver again), and that it takes them one after another.

const notification = (key: string): string =>
  JSON.stringify({
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        s3: { bucket: { name: 'uploads-bucket' }, object: { key, size: 10, sequencer: '0A' } },
      },
    ],
  });

const event = (...bodies: string[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `m${i + 1}`,
    receiptHandle: `r${i + 1}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 's',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:1:ingest',
    awsRegion: 'us-east-1',
  })),
});

/** A handler whose store and bucket are unavailable: each use is noted, waits a little, and throws. */
function unavailable() {
  const steps: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const down = async (what: string): Promise<never> => {
    steps.push(`start ${what}`);
    await new Promise((r) => setTimeout(r, 10));
    steps.push(`end ${what}`);
    throw new Error('unavailable');
  };
  const objects: LetterObjects = {
    read: (_bucket, key) => down(key),
    tag: (_bucket, key) => down(key),
    put: (_bucket, key) => down(key),
  };
  const client = { send: () => down('table') } as unknown as DynamoDBClient;
  const handler = createIngestHandler({
    table: { client, tableName: 'atlas' },
    objects,
    logger: createLogger({
      level: 'error',
      write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    }),
  });
  return { handler, steps, lines };
}

describe('the ingest handler', () => {
  it('reports the messages that failed, in order, and logs each once', async () => {
    const { handler, lines } = unavailable();
    const response = await handler(
      event('not json', JSON.stringify({ Event: 's3:TestEvent' }), '{"Records": 3}'),
    );
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm3' }],
    });
    expect(lines.map((l) => [l.message, l.messageId])).toEqual([
      ['message failed', 'm1'],
      ['message failed', 'm3'],
    ]);
  });

  it('reports every message of a batch that failed whole, rather than throwing', async () => {
    const { handler } = unavailable();
    const response = await handler(event('x', 'y'));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m1', 'm2']);
  });

  it('answers an empty batch with no failures', async () => {
    const { handler } = unavailable();
    expect(await handler(event())).toEqual({ batchItemFailures: [] });
  });

  it('takes the messages one after another, as SQS delivered them', async () => {
    const { handler, steps } = unavailable();
    const response = await handler(
      event(notification('uploads/acme/a.txt'), notification('uploads/acme/b.txt')),
    );
    expect(response.batchItemFailures).toHaveLength(2);
    const order = steps.map((s) => s.split(' ')[0]);
    // Each message's work ends before the next one's starts.
    expect(order).toEqual(order.map((_, i) => (i % 2 === 0 ? 'start' : 'end')));
  });

  it.each([undefined, null])(
    'reports a message whose ingest rejected with %s, and goes on to the next',
    async (value) => {
      let sends = 0;
      const client = {
        send: () => {
          sends++;
          return Promise.reject(value);
        },
      } as unknown as DynamoDBClient;
      const handler = createIngestHandler({
        table: { client, tableName: 'atlas' },
        objects: {} as LetterObjects,
        logger: createLogger({ level: 'error', write: () => undefined }),
      });
      const response = await handler(
        event(notification('uploads/acme/a.txt'), notification('uploads/acme/b.txt')),
      );
      expect(response).toEqual({
        batchItemFailures: [{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }],
      });
      expect(sends).toBe(2);
    },
  );
});
