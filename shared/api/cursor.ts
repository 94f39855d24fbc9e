import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { BadRequestError } from '../errors.ts';

// Page cursors are encrypted and authenticated (AES-256-GCM) with the query that made them as
// associated data: a client can neither read nor forge one, and a cursor handed to another
// query, or altered by one bit, is refused instead of reading somewhere unexpected.

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key cursors are sealed with, derived from the configured secret. */
export function cursorKey(secret: string): Buffer {
  return createHash('sha256').update(`imr-atlas cursor v1\u0000${secret}`).digest();
}

/** The query a cursor belongs to, in a canonical form (parameter order does not matter). */
export function queryContext(endpoint: string, params: Record<string, unknown>): string {
  const entries = Object.entries(params)
    .filter(([k, v]) => k !== 'cursor' && v !== undefined && v !== null)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([endpoint, entries]);
}

/** Seals a position for the next page of the query described by `context`. */
export function sealCursor(key: Buffer | null, context: string, position: unknown): string {
  key = required(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(JSON.stringify(position), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/**
 * Opens a cursor of the query described by `context` and checks the position it holds; anything
 * else (including a cursor sealed by an older version with another position shape) is a 400.
 */
export function openCursor<S extends z.ZodType>(
  key: Buffer | null,
  context: string,
  cursor: string,
  schema: S,
): z.output<S> {
  key = required(key);
  const refuse = (): never => {
    throw new BadRequestError(
      'cursor',
      'cursor is not one this query returned (it belongs to another query, was altered, or ' +
        'the service was restarted); start again without it',
    );
  };
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return refuse();
  const raw = Buffer.from(cursor, 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES + 2) return refuse();
  let position: unknown;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const plain = Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]);
    position = JSON.parse(plain.toString('utf8'));
  } catch {
    return refuse();
  }
  const parsed = schema.safeParse(position);
  return parsed.success ? parsed.data : refuse();
}

// Only the functions whose endpoint pages are given the secret (cdk/stacks/api.ts); an endpoint
// that starts paging without saying so fails plainly, here, rather than with another key.
function required(key: Buffer | null): Buffer {
  if (key === null) {
    throw new Error('no cursor key: mark the endpoint `pages: true` in shared/api/endpoints.ts');
  }
  return key;
}
