// The local S3's repair at start (removeCutShortObjects in local/s3-local.ts): the files of exactly
// the object a killed process left cut short, never a neighbour's, and nothing after a clean copy.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  removeCutShortObjects,
  s3ClientConfig,
  startS3Local,
  type CutShort,
} from '../../local/s3-local.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const tempDir = async () => {
  const d = await mkdtemp(path.join(tmpdir(), 'imr-s3-recovery-'));
  dirs.push(d);
  return d;
};
const md5 = (b: string | Buffer) => createHash('md5').update(b).digest('hex');

/**
 * Lays out an object as s3rver 3.7.1's FilesystemStore does (getResourcePath), whole or as a kill
 * leaves it: its metadata torn (empty), or its body cut short of what its .md5 records.
 */
async function object(
  root: string,
  bucket: string,
  key: string,
  body: string,
  cut: 'metadata' | 'body' | null = null,
) {
  const parts = key.split('/');
  const last = parts.pop()!;
  const folder = path.join(root, bucket, ...parts);
  await mkdir(folder, { recursive: true });
  const base = path.join(folder, `${last}._S3rver_`);
  await writeFile(`${base}object`, cut === 'body' ? body.slice(0, -1) : body);
  await writeFile(`${base}object.md5`, md5(body));
  await writeFile(
    `${base}metadata.json`,
    cut === 'metadata' ? '' : '{"content-type":"text/plain"}',
  );
  await writeFile(`${base}tagging.xml`, '<Tagging/>');
}

const WHOLE = [
  'acme._S3rver_metadata.json',
  'acme._S3rver_object',
  'acme._S3rver_object.md5',
  'acme._S3rver_tagging.xml',
];

describe('the repair at start of the local S3', () => {
  it('removes a cut-short folder marker (key ending in "/") and leaves its neighbour alone', async () => {
    const root = await tempDir();
    await object(root, 'b', 'uploads/acme/', 'x', 'body');
    await object(root, 'b', 'uploads/acme/acme', 'a whole letter');
    expect(await removeCutShortObjects(root)).toEqual([
      { bucket: 'b', key: 'uploads/acme/', kept: false },
    ]);
    expect((await readdir(path.join(root, 'b/uploads/acme'))).sort()).toEqual(WHOLE);
  });

  it('keeps a whole body whose metadata is torn, without the metadata', async () => {
    const root = await tempDir();
    await object(root, 'b', 'uploads/acme/', '', 'metadata');
    await object(root, 'b', 'uploads/acme/acme', 'a whole letter', 'metadata');
    expect(await removeCutShortObjects(root)).toEqual([
      { bucket: 'b', key: 'uploads/acme/', kept: true },
      { bucket: 'b', key: 'uploads/acme/acme', kept: true },
    ]);
    expect((await readdir(path.join(root, 'b/uploads/acme'))).sort()).toEqual([
      '._S3rver_object',
      '._S3rver_object.md5',
      '._S3rver_tagging.xml',
      ...WHOLE.filter((f) => !f.endsWith('metadata.json')),
    ]);
  });

  it("does not delete another object whose key starts with the cut-short key + '._S3rver_'", async () => {
    const root = await tempDir();
    await object(root, 'b', 'k', 'xy', 'body');
    await object(root, 'b', 'k._S3rver_v2', 'whole');
    expect(await removeCutShortObjects(root)).toEqual([{ bucket: 'b', key: 'k', kept: false }]);
    expect((await readdir(path.join(root, 'b'))).sort()).toEqual([
      'k._S3rver_v2._S3rver_metadata.json',
      'k._S3rver_v2._S3rver_object',
      'k._S3rver_v2._S3rver_object.md5',
      'k._S3rver_v2._S3rver_tagging.xml',
    ]);
  });

  it("does not fail when a folder below is named like the cut-short key's sidecars", async () => {
    const root = await tempDir();
    await object(root, 'b', 'k', 'xy', 'body');
    await object(root, 'b', 'k._S3rver_d/inner', 'whole');
    await expect(removeCutShortObjects(root)).resolves.toEqual([
      { bucket: 'b', key: 'k', kept: false },
    ]);
    expect(existsSync(path.join(root, 'b', 'k._S3rver_d', 'inner._S3rver_object'))).toBe(true);
  });

  it('keeps a whole object written by CopyObject with MetadataDirective REPLACE over another key', async () => {
    const directory = await tempDir();
    const bucket = 'review';
    let s3 = await startS3Local({ directory, buckets: [bucket] });
    let client = new S3Client(s3ClientConfig(s3.endpoint));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: 'source body' }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'dest', Body: 'old dest' }));
    await client.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'dest',
        CopySource: `${bucket}/src`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/plain',
      }),
    );
    client.destroy();
    await s3.stop();

    const removed: CutShort[] = [];
    s3 = await startS3Local({ directory, buckets: [bucket], onCutShort: (o) => removed.push(o) });
    client = new S3Client(s3ClientConfig(s3.endpoint));
    try {
      // Nothing was killed: nothing is cut short.
      expect(removed).toEqual([]);
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'dest' }));
      expect(await got.Body?.transformToString()).toBe('source body');
    } finally {
      client.destroy();
      await s3.stop();
    }
  });
});

/** Puts `dest` (and `other/key` in bucket b), runs `act`, stops, starts again, reads `dest`. */
async function afterRestart(act: (client: S3Client, endpoint: string) => Promise<unknown>) {
  const directory = await tempDir();
  const buckets = ['a', 'b'];
  let s3 = await startS3Local({ directory, buckets });
  let client = new S3Client(s3ClientConfig(s3.endpoint));
  await client.send(new PutObjectCommand({ Bucket: 'a', Key: 'dest', Body: 'old dest' }));
  await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'other/key', Body: 'other' }));
  await act(client, s3.endpoint).catch(() => undefined);
  client.destroy();
  await s3.stop();

  const repaired: CutShort[] = [];
  s3 = await startS3Local({ directory, buckets, onCutShort: (o) => repaired.push(o) });
  client = new S3Client(s3ClientConfig(s3.endpoint));
  const read = async (Bucket: string, Key: string) => {
    try {
      const got = await client.send(new GetObjectCommand({ Bucket, Key }));
      return await got.Body?.transformToString();
    } catch (e) {
      return (e as Error).name;
    }
  };
  try {
    return {
      repaired,
      dest: await read('a', 'dest'),
      other: await read('b', 'other/key'),
    };
  } finally {
    client.destroy();
    await s3.stop();
  }
}

describe('a copy that does not happen leaves its target alone', () => {
  it('a copy from a missing source onto an existing key', async () => {
    const r = await afterRestart((client) =>
      client.send(
        new CopyObjectCommand({
          Bucket: 'a',
          Key: 'dest',
          CopySource: 'a/no-such-source',
          MetadataDirective: 'REPLACE',
        }),
      ),
    );
    expect(r.repaired).toEqual([]);
    expect(r.dest).toBe('old dest');
  });

  it('an UploadPartCopy naming an existing key (s3rver: NotImplemented)', async () => {
    const r = await afterRestart(async (client) => {
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({ Bucket: 'a', Key: 'dest' }),
      );
      await client.send(
        new UploadPartCopyCommand({
          Bucket: 'a',
          Key: 'dest',
          UploadId,
          PartNumber: 1,
          CopySource: 'b/other/key',
        }),
      );
    });
    expect(r.repaired).toEqual([]);
    expect(r.dest).toBe('old dest');
  });

  it('a POST (s3rver: NotImplemented) that carries an x-amz-copy-source header, unauthenticated', async () => {
    const r = await afterRestart((_client, endpoint) =>
      fetch(`${endpoint}/a/dest`, { method: 'POST', headers: { 'x-amz-copy-source': 'a/x' } }),
    );
    expect(r.repaired).toEqual([]);
    expect(r.dest).toBe('old dest');
  });

  it("a request path whose decoded key leaves its bucket ('..%2F') reaches another bucket's object", async () => {
    const r = await afterRestart((_client, endpoint) =>
      fetch(`${endpoint}/a/..%2Fb%2Fother%2Fkey`, {
        method: 'PUT',
        headers: { 'x-amz-copy-source': 'a/x' },
      }),
    );
    expect(r.repaired).toEqual([]);
    expect(r.other).toBe('other');
  });
});

describe('a copy between keys', () => {
  it('a copy between keys read while it runs keeps the copied body and its md5 across a restart', async () => {
    const directory = await tempDir();
    let s3 = await startS3Local({ directory, buckets: ['b'] });
    const client = new S3Client(s3ClientConfig(s3.endpoint));
    const body = Buffer.alloc(16 * 1024 * 1024, 7);
    const want = `"${createHash('md5').update(body).digest('hex')}"`;
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'src', Body: body }));
    const etags: string[] = [];
    for (let i = 0; i < 3; i++) {
      await client.send(new PutObjectCommand({ Bucket: 'b', Key: `dest${i}`, Body: 'old dest' }));
      let done = false;
      const copy = client
        .send(
          new CopyObjectCommand({
            Bucket: 'b',
            Key: `dest${i}`,
            CopySource: 'b/src',
            MetadataDirective: 'REPLACE',
          }),
        )
        .finally(() => (done = true));
      while (!done)
        await client
          .send(new HeadObjectCommand({ Bucket: 'b', Key: `dest${i}` }))
          .catch(() => undefined);
      etags.push((await copy).CopyObjectResult?.ETag ?? '');
    }
    client.destroy();
    await s3.stop();
    const repaired: CutShort[] = [];
    s3 = await startS3Local({ directory, buckets: ['b'], onCutShort: (o) => repaired.push(o) });
    await s3.stop();
    expect({ etags, repaired }).toEqual({ etags: etags.map(() => want), repaired: [] });
  });
});
