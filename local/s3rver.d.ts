// The part of s3rver 3.7.1 (untyped, CommonJS) that local/s3-local.ts uses.
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { Server } from 'node:http';
  import type { AddressInfo } from 'node:net';

  export interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** The fields of the Koa context the local stack reads. */
  export interface S3rverContext {
    readonly method: string;
    readonly query: Record<string, string | string[] | undefined>;
    readonly status: number;
    /** The request's headers (Koa's `ctx.request.headers`); an adapter may rewrite them. */
    readonly headers: Record<string, string | string[] | undefined>;
    /** Set by s3rver's router once the request is routed. */
    readonly params?: { bucket?: string; key?: string };
  }

  export type S3rverMiddleware = (ctx: S3rverContext, next: () => Promise<void>) => Promise<void>;

  /** One record as lib/models/event.js builds it (size and eTag are absent on deletes). */
  export interface S3rverEventRecord {
    eventTime: string;
    eventName: string;
    userIdentity: { principalId: string };
    requestParameters: { sourceIPAddress: string };
    responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
    s3: {
      configurationId: string;
      bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
      object: { key: string; sequencer: string; size?: number; eTag?: string };
    };
  }

  export interface S3rverEvent {
    Records: S3rverEventRecord[];
  }

  export interface S3rverStore {
    /** Stored metadata; `etag` is JSON-quoted, `content-length` is the file's size. Throws if absent. */
    getMetadata(bucket: string, key: string): Promise<Record<string, string | number | undefined>>;
    /** Copies an object's body, and its metadata or the replacement given; returns the target's. */
    copyObject(
      srcBucket: string,
      srcKey: string,
      destBucket: string,
      destKey: string,
      replacementMetadata?: Record<string, string> | null,
    ): Promise<Record<string, string | number | undefined>>;
    /** The file of an object's `resource` ('object', 'object.md5', 'metadata.json', ...). */
    getResourcePath(bucket: string, key: string, resource: string): string;
    /** Removes a subresource such as an object's `tagging`; absent is fine. */
    deleteSubresource(bucket: string, key: string, resourceType: string): Promise<void>;
  }

  /** A Koa application serving the S3 REST API from a directory. */
  export default class S3rver extends EventEmitter {
    constructor(options?: S3rverOptions);
    /** Koa's middleware list; composed when the server starts listening. */
    readonly middleware: S3rverMiddleware[];
    readonly store: S3rverStore;
    readonly httpServer: Server | undefined;
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    on(event: 'event', listener: (event: S3rverEvent) => void): this;
    on(event: 'error', listener: (error: Error & { status?: number }) => void): this;
  }
}
