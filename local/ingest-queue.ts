import { randomUUID } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '../shared/logger.ts';

// The local stand-in for S3 → SQS → Lambda: each object-created event from the local S3 becomes
// an SQS message for the real ingest handler, with SQS's behaviour where it matters: bounded
// concurrency (the function's reserved concurrency), a message reported as failed is retried
// with backoff, and after `maxReceives` attempts it is parked in a dead-letter file instead of
// being dropped.

export type IngestHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

export interface IngestQueueOptions {
  handler: IngestHandler;
  logger: Logger;
  /** Messages handled at once. */
  concurrency?: number;
  /** Attempts before a message goes to the dead-letter file (SQS maxReceiveCount). */
  maxReceives?: number;
  /** JSON-lines file that receives messages that failed every attempt. */
  deadLetterFile?: string;
  /** First retry delay; doubles on each further attempt. */
  retryDelayMs?: number;
}

export interface IngestQueue {
  /** Queues an S3 notification, as S3 would send it to SQS. */
  send(event: S3Event): void;
  /** Resolves when nothing is queued, running or waiting for a retry. */
  idle(): Promise<void>;
  readonly counts: { received: number; succeeded: number; retried: number; deadLettered: number };
  /** Stops taking messages and waits for those running. */
  close(): Promise<void>;
}

interface Message {
  id: string;
  body: string;
  receives: number;
}

export function createIngestQueue(options: IngestQueueOptions): IngestQueue {
  const concurrency = options.concurrency ?? 8;
  const maxReceives = options.maxReceives ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 250;
  const queue: Message[] = [];
  const counts = { received: 0, succeeded: 0, retried: 0, deadLettered: 0 };
  let running = 0;
  let delayed = 0;
  let closed = false;
  let waiters: (() => void)[] = [];

  const settle = (): void => {
    if (queue.length === 0 && running === 0 && delayed === 0) {
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    }
  };

  const pump = (): void => {
    while (!closed && running < concurrency && queue.length > 0) {
      const message = queue.shift()!;
      running++;
      void deliver(message).finally(() => {
        running--;
        pump();
        settle();
      });
    }
  };

  const deliver = async (message: Message): Promise<void> => {
    message.receives++;
    let failed: boolean;
    try {
      const result = await options.handler(toSqsEvent([message]));
      failed = result.batchItemFailures.some((f) => f.itemIdentifier === message.id);
    } catch (error) {
      options.logger.error('ingest handler threw', { messageId: message.id, error });
      failed = true;
    }
    if (!failed) {
      counts.succeeded++;
      return;
    }
    if (message.receives >= maxReceives) {
      counts.deadLettered++;
      options.logger.error('message dead-lettered', {
        messageId: message.id,
        receives: message.receives,
      });
      if (options.deadLetterFile !== undefined) {
        const line = { at: new Date().toISOString(), messageId: message.id, body: message.body };
        await appendFile(options.deadLetterFile, JSON.stringify(line) + '\n').catch(
          (error: unknown) => {
            // The message is still in the log line above; say the file could not take it.
            options.logger.error('dead-letter file not writable', { messageId: message.id, error });
          },
        );
      }
      return;
    }
    counts.retried++;
    delayed++;
    setTimeout(
      () => {
        delayed--;
        if (!closed) queue.push(message);
        pump();
        settle();
      },
      retryDelayMs * 2 ** (message.receives - 1),
    );
  };

  return {
    send(event) {
      if (closed) return;
      counts.received++;
      queue.push({ id: randomUUID(), body: JSON.stringify(event), receives: 0 });
      pump();
    },
    idle() {
      return new Promise((resolve) => {
        waiters.push(resolve);
        settle();
      });
    },
    counts,
    async close() {
      closed = true;
      queue.length = 0;
      await new Promise<void>((resolve) => {
        const check = (): void => (running === 0 ? resolve() : void setTimeout(check, 20));
        check();
      });
    },
  };
}

/** The SQS event Lambda would receive for these messages, as one batch. */
export function toSqsEvent(
  messages: readonly Pick<Message, 'id' | 'body' | 'receives'>[],
  senderId = 'local-s3',
): SQSEvent {
  return {
    Records: messages.map((message) => ({
      messageId: message.id,
      receiptHandle: message.id,
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receives),
        SentTimestamp: String(Date.now()),
        SenderId: senderId,
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:imr-atlas-ingest',
      awsRegion: 'us-east-1',
    })),
  };
}
