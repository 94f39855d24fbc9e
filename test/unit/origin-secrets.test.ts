import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaApiHandler } from '../../functions/http/api-gateway.ts';
import { originVerified } from '../../shared/api/origin.ts';
import type * as awsModule from '../../shared/aws/index.ts';
import { keptSecret, type SecretReader } from '../../shared/aws/secrets.ts';

// The pieces that keep secrets out of function environments and the execute-api address closed:
// the origin header check, the secret kept per instance, and which functions ask for the cursor
// secret at all.

describe('the origin header', () => {
  it('is accepted with the secret only', () => {
    const secret = 'a'.repeat(48);
    expect(originVerified(secret, secret)).toBe(true);
    expect(originVerified(`${secret}x`, secret)).toBe(false);
    expect(originVerified('a', secret)).toBe(false);
    expect(originVerified(undefined, secret)).toBe(false);
    expect(originVerified('', '')).toBe(false);
  });
});

describe('a kept secret', () => {
  const counting = (values: (string | Error)[]) => {
    const reader: SecretReader & { reads: number } = {
      reads: 0,
      read() {
        const v = values[Math.min(this.reads++, values.length - 1)]!;
        return v instanceof Error ? Promise.reject(v) : Promise.resolve(v);
      },
    };
    return reader;
  };

  it('is read once, and a failed read is tried again', async () => {
    const reader = counting([new Error('throttled'), 'one', 'two']);
    const secret = keptSecret(reader, 'arn:x', 60_000);
    await expect(secret.value()).rejects.toThrow('throttled');
    expect(await secret.value()).toBe('one');
    expect(await secret.value()).toBe('one');
    expect(reader.reads).toBe(2);
  });

  it('is read again after a rotation at most once per interval', async () => {
    vi.useFakeTimers();
    try {
      const reader = counting(['one', 'two']);
      const secret = keptSecret(reader, 'arn:x', 60_000);
      expect(await secret.value()).toBe('one');
      expect(secret.reread()).toBeNull();
      vi.advanceTimersByTime(60_001);
      expect(await secret.reread()).toBe('two');
      expect(await secret.value()).toBe('two');
      expect(secret.reread()).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the cursor secret in a Lambda function', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  const event = (path: string) =>
    ({
      rawPath: path,
      pathParameters: {},
      queryStringParameters: {},
      requestContext: { requestId: 'r1' },
    }) as unknown as APIGatewayProxyEventV2;

  it('is not needed by a function whose endpoint never pages', async () => {
    vi.stubEnv('TABLE_NAME', 'atlas');
    vi.stubEnv('LOG_LEVEL', 'silent');
    const reply = await lambdaApiHandler('api-get-openapi')(event('/api/openapi.json'));
    expect(reply.statusCode).toBe(200);
  });

  it('is required by one that pages, by ARN in AWS, and its absence is named', async () => {
    vi.stubEnv('TABLE_NAME', 'atlas');
    vi.stubEnv('LOG_LEVEL', 'silent');
    await expect(lambdaApiHandler('api-list-items')(event('/api/items'))).rejects.toThrow(
      /CURSOR_SECRET_ARN: required by a paging endpoint/,
    );
    vi.stubEnv('CURSOR_SECRET', 'x'.repeat(40));
    vi.stubEnv('CURSOR_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:1:secret:c');
    await expect(lambdaApiHandler('api-list-items')(event('/api/items'))).rejects.toThrow(
      /CURSOR_SECRET or CURSOR_SECRET_ARN, not both/,
    );
  });
});

describe('the origin authorizer', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.doUnmock('../../shared/aws/index.ts');
    vi.resetModules();
  });

  it('lets in the header with the secret and refuses any other, reading the secret once', async () => {
    vi.stubEnv('ORIGIN_SECRET_ARN', 'arn:aws:secretsmanager:us-east-1:1:secret:origin');
    const reads: string[] = [];
    // The functions reach shared/aws through its index.ts, where the reader is replaced.
    vi.doMock('../../shared/aws/index.ts', async (original) => ({
      ...(await original<typeof awsModule>()),
      secretsManagerReader: () => ({
        read: (id: string) => {
          reads.push(id);
          return Promise.resolve('s'.repeat(48));
        },
      }),
    }));
    const { handler } = await import('../../functions/api-authorize-origin.ts');
    const ask = async (headers: Record<string, string>) => {
      const event = { headers, requestContext: { requestId: 'r' } } as unknown as Parameters<
        typeof handler
      >[0];
      return (await handler(event, {} as never, () => undefined))?.isAuthorized;
    };
    expect(await ask({ 'x-imr-atlas-origin': 's'.repeat(48) })).toBe(true);
    expect(await ask({ 'x-imr-atlas-origin': 'guess' })).toBe(false);
    expect(await ask({})).toBe(false);
    expect(await ask({ 'x-imr-atlas-origin': 's'.repeat(48) })).toBe(true);
    // Once at cold start; a wrong value within the minute after does not read it again.
    expect(reads).toEqual(['arn:aws:secretsmanager:us-east-1:1:secret:origin']);
  });
});
