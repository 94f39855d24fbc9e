import { createHash } from 'node:crypto';
import type { ExportBucket, PartUpload } from './bucket.ts';

/** What a finished file holds, as the manifest lists it. */
export interface WrittenFile {
  key: string;
  bytes: number;
  sha256: string;
}

/** S3's smallest part (all but the last); parts are cut at this size or above. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

/**
 * One object written as a stream: bytes are buffered up to `partSize` and sent as a multipart
 * upload part, so a file of any size costs one part of memory. A file that stays under one part
 * is sent with a single put at the end instead. The SHA-256 and size are taken on the way.
 */
export class FileSink {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private upload: PartUpload | null = null;
  private parts = 0;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private closed = false;

  constructor(
    private readonly bucket: ExportBucket,
    readonly key: string,
    private readonly contentType: string,
    private readonly partSize: number = DEFAULT_PART_SIZE,
  ) {}

  /** Appends bytes; the caller must not change them afterwards (they may be held until sent). */
  async write(data: Uint8Array): Promise<void> {
    if (this.closed) throw new Error(`${this.key} is already closed`);
    if (data.length === 0) return;
    this.hash.update(data);
    this.bytes += data.length;
    this.chunks.push(data);
    this.buffered += data.length;
    if (this.buffered >= this.partSize) await this.sendPart();
  }

  /** Sends what is left and makes the object appear; resolves to its size and digest. */
  async close(): Promise<WrittenFile> {
    this.closed = true;
    if (this.upload === null) {
      await this.bucket.put(this.key, this.take(), this.contentType);
    } else {
      if (this.buffered > 0) await this.sendPart();
      await this.upload.complete();
    }
    return { key: this.key, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Drops the file: nothing appears; a started multipart upload is aborted (best effort). */
  async abort(): Promise<void> {
    this.closed = true;
    this.chunks = [];
    this.buffered = 0;
    // The bucket's lifecycle rule cleans up an upload whose abort fails (s3rver has no abort).
    await this.upload?.abort().catch(() => undefined);
  }

  private async sendPart(): Promise<void> {
    const body = this.take();
    this.upload ??= await this.bucket.startUpload(this.key, this.contentType);
    await this.upload.uploadPart(++this.parts, body);
  }

  private take(): Uint8Array {
    const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    return out;
  }
}
