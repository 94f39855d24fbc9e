// The local stack's two servers, for real: DynamoDB Local (a JVM) and s3rver (in-process).
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkJava,
  DynamoDbLocalStartError,
  dynamoClientConfig,
  JavaMissingError,
  startDynamoDbLocal,
  type DynamoDbLocal,
} from '../../local/dynamodb-local.ts';
import { s3ClientConfig, startS3Local, type CutShort, type S3Local } from '../../local/s3-local.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const tempDirs: string[] = [];

async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `imr-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('DynamoDB Local', () => {
  const table = 'atlas-local-test';
  let dataDir: string;
  let db: DynamoDbLocal | undefined;
  let client: DynamoDBClient;

  const connect = (server: DynamoDbLocal) =>
    new DynamoDBClient(dynamoClientConfig(server.endpoint));
  const getPk = async (pk: string) =>
    (await client.send(new GetItemCommand({ TableName: table, Key: { PK: { S: pk } } }))).Item;

  beforeAll(async () => {
    dataDir = await tempDir('ddb');
    db = await startDynamoDbLocal({ dataDir });
    client = connect(db);
  });

  afterAll(async () => {
    client?.destroy();
    await db?.stop();
  });

  it('answers on 127.0.0.1 and reports its start time', () => {
    expect(db?.endpoint).toBe(`http://127.0.0.1:${db?.port}`);
    expect(db?.startupMs).toBeGreaterThan(0);
  });

  it('creates a table, puts and gets an item', async () => {
    await client.send(
      new CreateTableCommand({
        TableName: table,
        AttributeDefinitions: [{ AttributeName: 'PK', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await client.send(
      new PutItemCommand({ TableName: table, Item: { PK: { S: 'CASE#1' }, n: { N: '7' } } }),
    );
    expect(await getPk('CASE#1')).toEqual({ PK: { S: 'CASE#1' }, n: { N: '7' } });
  });

  it('runs TransactWriteItems all or nothing', async () => {
    const put = (pk: string) => ({ Put: { TableName: table, Item: { PK: { S: pk } } } });
    const mustBeAbsent = (pk: string) => ({
      ConditionCheck: {
        TableName: table,
        Key: { PK: { S: pk } },
        ConditionExpression: 'attribute_not_exists(PK)',
      },
    });

    await expect(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [put('TX#a'), mustBeAbsent('CASE#1')],
        }),
      ),
    ).rejects.toBeInstanceOf(TransactionCanceledException);
    expect(await getPk('TX#a')).toBeUndefined();

    await client.send(new TransactWriteItemsCommand({ TransactItems: [put('TX#a'), put('TX#b')] }));
    expect(await getPk('TX#a')).toBeDefined();
    expect(await getPk('TX#b')).toBeDefined();
  });

  it('shows the same tables to every credential and region (sharedDb)', async () => {
    const other = new DynamoDBClient({
      endpoint: db?.endpoint,
      region: 'eu-central-1',
      credentials: { accessKeyId: 'someoneElse', secretAccessKey: 'other' },
    });
    try {
      expect((await other.send(new ListTablesCommand({}))).TableNames).toContain(table);
    } finally {
      other.destroy();
    }
  });

  it('keeps data across stop and start with the same dataDir', async () => {
    client.destroy();
    await db?.stop();
    db = undefined;
    db = await startDynamoDbLocal({ dataDir });
    client = connect(db);
    expect(await getPk('CASE#1')).toEqual({ PK: { S: 'CASE#1' }, n: { N: '7' } });
    expect(await getPk('TX#b')).toBeDefined();
  });
});

describe('Java check', () => {
  it('throws JavaMissingError naming the package to install when java is not on PATH', async () => {
    const env = { PATH: await tempDir('no-java') };
    const error: unknown = await checkJava({ env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JavaMissingError);
    expect((error as Error).message).toContain('Java 17 or newer');
    expect((error as Error).message).toContain('sudo apt-get install -y openjdk-17-jre-headless');
    await expect(startDynamoDbLocal({ env })).rejects.toBeInstanceOf(JavaMissingError);
  });

  it('rejects a Java older than 17 and accepts a newer one', async () => {
    const fakeJava = async (versionLine: string) => {
      const dir = await tempDir('fake-java');
      const script = path.join(dir, 'java');
      await writeFile(script, `#!/bin/sh\necho '${versionLine}' >&2\n`);
      await chmod(script, 0o755);
      return { PATH: dir };
    };
    await expect(checkJava({ env: await fakeJava('java version "1.8.0_392"') })).rejects.toThrow(
      /is Java 8\b/,
    );
    await expect(
      checkJava({ env: await fakeJava('openjdk version "21" 2023-09-19') }),
    ).resolves.toMatchObject({ major: 21 });
  });
});

describe('DynamoDB Local on a taken port', () => {
  it('fails with a message naming the port', async () => {
    const taken = createServer().listen(0);
    await once(taken, 'listening');
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const error: unknown = await startDynamoDbLocal({ port }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DynamoDbLocalStartError);
      expect((error as Error).message).toBe(
        `Port ${port} is in use, so DynamoDB Local cannot listen on it.`,
      );
    } finally {
      taken.close();
    }
  });
});

describe('DynamoDB Local orphan guard', () => {
  it('stops the JVM when the Node process that started it is terminated', async () => {
    const dir = await tempDir('orphan');
    const script = path.join(dir, 'start.mts');
    const moduleUrl = pathToFileURL(path.join(repoRoot, 'local/dynamodb-local.ts')).href;
    await writeFile(
      script,
      `import { startDynamoDbLocal } from ${JSON.stringify(moduleUrl)};\n` +
        `const db = await startDynamoDbLocal({});\n` +
        `process.stdout.write(db.endpoint + '\\n');\n` +
        `setInterval(() => {}, 1000);\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    try {
      const endpoint = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').once('data', (text: string) => resolve(text.trim()));
        child.once('exit', (code) => reject(new Error(`child exited (${code}): ${stderr}`)));
      });
      const probe = new DynamoDBClient({ ...dynamoClientConfig(endpoint), maxAttempts: 1 });
      try {
        await probe.send(new ListTablesCommand({}));
        child.kill('SIGTERM');
        let answering = true;
        for (let i = 0; i < 100 && answering; i++) {
          await sleep(100);
          answering = await probe.send(new ListTablesCommand({})).then(
            () => true,
            () => false,
          );
        }
        expect(answering).toBe(false);
      } finally {
        probe.destroy();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('s3rver', () => {
  const bucket = 'atlas-uploads';
  let directory: string;
  let s3: S3Local | undefined;
  let client: S3Client;
  const events: S3EventRecord[] = [];
  let unsubscribe = () => {};

  const collect = (event: S3Event) => events.push(...event.Records);
  const readBody = async (key: string) => {
    const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await response.Body?.transformToByteArray()) ?? []);
  };
  const eventFor = async (encodedKey: string): Promise<S3EventRecord> => {
    for (let i = 0; i < 100; i++) {
      const found = events.find((record) => record.s3.object.key === encodedKey);
      if (found !== undefined) return found;
      await sleep(20);
    }
    throw new Error(`no event for ${encodedKey}; got ${events.map((e) => e.s3.object.key)}`);
  };
  const md5 = (body: Buffer) => createHash('md5').update(body).digest('hex');

  beforeAll(async () => {
    directory = await tempDir('s3');
    s3 = await startS3Local({ directory, buckets: [bucket] });
    client = new S3Client(s3ClientConfig(s3.endpoint));
    unsubscribe = s3.onObjectCreated(collect);
  });

  afterAll(async () => {
    unsubscribe();
    client?.destroy();
    await s3?.stop();
  });

  it('returns the bytes put, for a 1 MB body and a streamed body', async () => {
    const large = randomBytes(1024 * 1024);
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'bytes/large.bin', Body: large }),
    );
    expect((await readBody('bytes/large.bin')).equals(large)).toBe(true);

    const chunks = Array.from({ length: 8 }, () => randomBytes(64 * 1024 + 3));
    const streamed = Buffer.concat(chunks);
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'bytes/streamed.bin',
        Body: Readable.from(chunks),
        ContentLength: streamed.length,
      }),
    );
    expect((await readBody('bytes/streamed.bin')).equals(streamed)).toBe(true);
  });

  it('delivers object-created events as AWS does, with AWS-encoded keys', async () => {
    const body = Buffer.from('%PDF-1.4 letter');
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'uploads/acme/Brief Ä 1.pdf', Body: body }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'uploads/acme/a+b (1)=c.pdf', Body: body }),
    );

    const first = await eventFor('uploads/acme/Brief+%C3%84+1.pdf');
    expect(first).toMatchObject({
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { size: body.length, eTag: md5(body) },
      },
    });
    const second = await eventFor('uploads/acme/a%2Bb+%281%29%3Dc.pdf');
    expect(first.s3.object.sequencer).toMatch(/^[0-9A-F]{18}$/);
    expect(second.s3.object.sequencer > first.s3.object.sequencer).toBe(true);

    // Deletes are not ObjectCreated events; the key from the event, decoded, is the object's key.
    const decoded = decodeURIComponent(first.s3.object.key.replace(/\+/g, ' '));
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: decoded }));
    await sleep(50);
    expect(events.every((record) => record.eventName.startsWith('ObjectCreated:'))).toBe(true);
  });

  it('names a completed multipart upload ObjectCreated:CompleteMultipartUpload', async () => {
    const key = 'uploads/acme/multipart.pdf';
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1000)];
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
    );
    const uploaded = await Promise.all(
      parts.map(async (part, i) => {
        const { ETag } = await client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId,
            PartNumber: i + 1,
            Body: part,
          }),
        );
        return { ETag, PartNumber: i + 1 };
      }),
    );
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: uploaded },
      }),
    );
    const record = await eventFor(key);
    expect(record.eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    expect(record.s3.object.size).toBe(parts[0]!.length + parts[1]!.length);
    expect((await readBody(key)).equals(Buffer.concat(parts))).toBe(true);
  });

  it('pages a truncated ListObjectsV2 with continuation tokens', async () => {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: 'bytes/',
          MaxKeys: 1,
          ContinuationToken,
        }),
      );
      keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken !== undefined);
    expect(keys).toEqual(['bytes/large.bin', 'bytes/streamed.bin']);
  });

  it('keeps objects across a restart on the same directory', async () => {
    const body = randomBytes(4096);
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept.bin', Body: body }));
    client.destroy();
    await s3?.stop();
    s3 = undefined;
    s3 = await startS3Local({ directory, buckets: [bucket] });
    client = new S3Client(s3ClientConfig(s3.endpoint));
    unsubscribe = s3.onObjectCreated(collect);
    expect((await readBody('kept.bin')).equals(body)).toBe(true);
  });

  it('repairs at start the objects a killed process left cut short, and lists the rest', async () => {
    const put = (key: string, body: Buffer) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const whole = randomBytes(2048);
    await put('killed/whole.json', whole);
    await put('killed/empty-metadata.json', randomBytes(100));
    await put('killed/short-body.json', randomBytes(3000));
    await put('killed/no-md5.json', randomBytes(10));
    client.destroy();
    await s3?.stop();
    s3 = undefined;
    // Where a SIGKILL between writeFile's truncate and its write leaves s3rver's files.
    const file = (key: string, resource: string) =>
      path.join(
        directory,
        bucket,
        ...key.split('/').slice(0, -1),
        `${path.basename(key)}._S3rver_${resource}`,
      );
    await writeFile(file('killed/empty-metadata.json', 'metadata.json'), '');
    await writeFile(file('killed/short-body.json', 'object'), randomBytes(1000));
    await rm(file('killed/no-md5.json', 'object.md5'));

    const repaired: CutShort[] = [];
    s3 = await startS3Local({
      directory,
      buckets: [bucket],
      onCutShort: (object) => repaired.push(object),
    });
    client = new S3Client(s3ClientConfig(s3.endpoint));
    unsubscribe = s3.onObjectCreated(collect);
    // A body that is not the one its .md5 records never completed; a whole body keeps its place.
    expect(repaired.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { bucket, key: 'killed/empty-metadata.json', kept: true },
      { bucket, key: 'killed/no-md5.json', kept: false },
      { bucket, key: 'killed/short-body.json', kept: false },
    ]);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual(
      [
        'bytes/large.bin',
        'bytes/streamed.bin',
        'kept.bin',
        'killed/empty-metadata.json',
        'killed/whole.json',
        'uploads/acme/a+b (1)=c.pdf',
        'uploads/acme/multipart.pdf',
      ].sort(),
    );
    expect((await readBody('killed/whole.json')).equals(whole)).toBe(true);
  });
});
