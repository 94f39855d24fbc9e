// The local S3's repair at start (removeCutShortObjects in local/s3-local.ts): the files of exactly
// the object a killed process left cut short, never a neighbour's, and nothing after a clean copy.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CopyObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
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
  const d = await mkdtemp(path.join(tmpdir(), 'imr-review-s3-'));
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
