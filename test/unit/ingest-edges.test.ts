import type { S3Event } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createIngestQueue } from '../../local/ingest-queue.ts';
import { ConfigError, loadConfig } from '../../shared/config.ts';
import { organisationOf } from '../../shared/ingest/ingest-object.ts';
import {
  decodeEventKey,
  objectsCreated,
  s3NotificationSchema,
} from '../../shared/ingest/s3-notification.ts';
import { createLogger } from '../../shared/logger.ts';

function notification(key: string, eventName = 'ObjectCreated:Put', sequencer = '0055B0'): unknown {
  return {
    Records: [
      {
        eventName,
        s3: { bucket: { name: 'b' }, object: { key, size: 10, sequencer, eTag: 'x' } },
      },
    ],
  };
}

describe('S3 notifications', () => {
  it('decodes keys as AWS encodes them', () => {
    expect(decodeEventKey('uploads/acme/my+letter%C3%84+1.pdf')).toBe(
      'uploads/acme/my letterÄ 1.pdf',
    );
    expect(decodeEventKey('uploads/acme/a%2Bb.pdf')).toBe('uploads/acme/a+b.pdf');
  });

  it('keeps created objects only, with sequencers comparable as strings', () => {
    const created = objectsCreated(s3NotificationSchema.parse(notification('uploads/a/x.pdf')));
    expect(created).toEqual([
      { bucket: 'b', key: 'uploads/a/x.pdf', size: 10, sequencer: '0055B0'.padEnd(32, '0') },
    ]);
    const later = objectsCreated(
      s3NotificationSchema.parse(notification('k', 'ObjectCreated:Put', '1055B0')),
    );
    expect(later[0]!.sequencer > created[0]!.sequencer).toBe(true);
    // Sequencers of different lengths compare after padding the shorter one on the right.
    const longer = objectsCreated(
      s3NotificationSchema.parse(notification('k', 'ObjectCreated:Put', '0055B01')),
    );
    expect(longer[0]!.sequencer > created[0]!.sequencer).toBe(true);
    expect(
      objectsCreated(s3NotificationSchema.parse(notification('k', 'ObjectRemoved:Delete'))),
    ).toEqual([]);
    expect(objectsCreated(s3NotificationSchema.parse({ Event: 's3:TestEvent' }))).toEqual([]);
  });

  it('rejects a message that is not an S3 notification', () => {
    expect(s3NotificationSchema.safeParse({ Records: [{ eventName: 'x' }] }).success).toBe(false);
    expect(s3NotificationSchema.safeParse({ hello: 1 }).success).toBe(false);
  });

  it('reads the organisation from the upload key', () => {
    expect(organisationOf('uploads/acme-law/2024/a.pdf')).toBe('acme-law');
    expect(organisationOf('uploads/a.pdf')).toBeNull();
    expect(organisationOf('receipts/acme/a.pdf')).toBeNull();
  });
});

describe('configuration', () => {
  it('names the missing setting', () => {
    expect(() => loadConfig({})).toThrow(ConfigError);
    expect(() => loadConfig({})).toThrow(/TABLE_NAME/);
    expect(loadConfig({ TABLE_NAME: 't' })).toMatchObject({ TABLE_NAME: 't', LOG_LEVEL: 'info' });
    expect(() => loadConfig({ TABLE_NAME: 't', IMR_S3_ENDPOINT: 'not a url' })).toThrow(
      /IMR_S3_ENDPOINT/,
    );
  });
});

describe('the local ingest queue', () => {
  const event = {} as S3Event;
  const silent = createLogger({ level: 'silent' });

  it('retries a failed message, then succeeds', async () => {
    let calls = 0;
    const queue = createIngestQueue({
      logger: silent,
      retryDelayMs: 1,
      handler: async (e) => {
        calls++;
        return {
          batchItemFailures: calls < 3 ? [{ itemIdentifier: e.Records[0]!.messageId }] : [],
        };
      },
    });
    queue.send(event);
    await queue.idle();
    expect(calls).toBe(3);
    expect(queue.counts).toMatchObject({ received: 1, succeeded: 1, retried: 2, deadLettered: 0 });
  });

  it('dead-letters a message after maxReceives attempts instead of retrying forever', async () => {
    let calls = 0;
    const queue = createIngestQueue({
      logger: silent,
      retryDelayMs: 1,
      maxReceives: 4,
      handler: async () => {
        calls++;
        throw new Error('store down');
      },
    });
    queue.send(event);
    await queue.idle();
    expect(calls).toBe(4);
    expect(queue.counts.deadLettered).toBe(1);
  });

  it('never runs more than `concurrency` messages at once', async () => {
    let running = 0;
    let peak = 0;
    const queue = createIngestQueue({
      logger: silent,
      concurrency: 3,
      handler: async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return { batchItemFailures: [] };
      },
    });
    for (let i = 0; i < 20; i++) queue.send(event);
    await queue.idle();
    expect(peak).toBe(3);
    expect(queue.counts.succeeded).toBe(20);
  });
});
