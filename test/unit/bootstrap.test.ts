import { describe, expect, it } from 'vitest';
import { lambdaRuntime, once, startedOnFirstEvent } from '../../shared/aws/bootstrap.ts';
import { ConfigError, loadBucketConfig, loadConfig } from '../../shared/config.ts';

describe('once', () => {
  it('starts once for calls that arrive together, and keeps what it started', async () => {
    let starts = 0;
    const started = once(async () => {
      starts++;
      await new Promise((r) => setTimeout(r, 5));
      return { starts };
    });
    const [a, b] = await Promise.all([started(), started()]);
    expect(a).toBe(b);
    expect(await started()).toBe(a);
    expect(starts).toBe(1);
  });

  it('does not keep a failed start: the next call tries again', async () => {
    let starts = 0;
    const started = once(() => {
      starts++;
      if (starts === 1) throw new ConfigError('invalid configuration: TABLE_NAME: required');
      return 'ready';
    });
    await expect(started()).rejects.toThrow(ConfigError);
    expect(await started()).toBe('ready');
    expect(await started()).toBe('ready');
    expect(starts).toBe(2);
  });
});

describe('startedOnFirstEvent', () => {
  it('builds the handler at the first event, not at import, and passes every argument', async () => {
    const built: string[] = [];
    const handler = startedOnFirstEvent(() => {
      built.push('handler');
      return async (event: number, context: { left: number }) => event + context.left;
    });
    expect(built).toEqual([]);
    expect(await handler(1, { left: 2 })).toBe(3);
    expect(await handler(5, { left: 5 })).toBe(10);
    expect(built).toEqual(['handler']);
  });
});

describe('lambdaRuntime', () => {
  it('reads the configuration with the loader given and builds the table and S3 client over it', () => {
    const runtime = lambdaRuntime('receipts-rollup', loadBucketConfig, {
      TABLE_NAME: 'atlas',
      BUCKET_NAME: 'uploads',
      AWS_REGION: 'us-west-2',
      IMR_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
    });
    expect(runtime.config.BUCKET_NAME).toBe('uploads');
    expect(runtime.table.tableName).toBe('atlas');
    // The S3 client is built once, when first asked for.
    expect(runtime.s3()).toBe(runtime.s3());
    runtime.table.client.destroy();
    runtime.s3().destroy();
  });

  it('fails with the name of a missing setting', () => {
    expect(() => lambdaRuntime('ingest', loadConfig, {})).toThrow(/TABLE_NAME/);
  });

  it("tells the table how long a writer waits for its lane's applier, when set", () => {
    const deployed = lambdaRuntime('ingest', loadConfig, {
      TABLE_NAME: 'atlas',
      APPLY_QUEUE_WAIT_MS: '0',
    });
    expect(deployed.table.queue).toEqual({ waitMs: 0 });
    deployed.table.client.destroy();
    const local = lambdaRuntime('ingest', loadConfig, { TABLE_NAME: 'atlas' });
    expect(local.table.queue).toBeUndefined();
    local.table.client.destroy();
    expect(() =>
      lambdaRuntime('ingest', loadConfig, { TABLE_NAME: 'atlas', APPLY_QUEUE_WAIT_MS: '-1' }),
    ).toThrow(/APPLY_QUEUE_WAIT_MS/);
  });
});
