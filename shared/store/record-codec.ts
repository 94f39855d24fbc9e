import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import {
  determinationSchema,
  type Determination,
  ITEM_FLAGS,
  LETTER_FLAGS,
} from '../record/index.ts';
import { guidelineOf } from '../taxonomy/index.ts';

// Records are stored as gzipped JSON. A claim carries the record and the one it replaces in one
// item, which DynamoDB caps at 400 KB: each record is held to MAX_RECORD_BYTES compressed, so the
// two and the bookkeeping always fit, and a larger one is refused before anything is written.
export function encode(record: Determination): Uint8Array {
  return gzipSync(JSON.stringify(record));
}

/** The largest compressed record stored; a real letter's is a few KB. */
export const MAX_RECORD_BYTES = 180 * 1024;

/**
 * A record whose writes would exceed one of DynamoDB's limits (item size, key size): refused
 * before anything is written, and recorded as a failure rather than retried.
 */
export class RecordTooLargeError extends Error {
  override readonly name = 'RecordTooLargeError';
  constructor(readonly problem: string) {
    super(`the parsed record cannot be stored: ${problem}`);
  }
}

// Records stored before `textSource` existed were never OCR'd: a file named .txt was read as
// text, anything else from its PDF text layer (the only two ways in at the time).
const legacyRecord = z.looseObject({ source: z.string(), textSource: z.unknown().optional() });

/** A stored (gzipped) record back as a Determination, validated. */
export function decode(data: Uint8Array | undefined): Determination | null {
  if (data === undefined) return null;
  const stored = withKnownFlags(withGuidelines(JSON.parse(gunzipSync(data).toString('utf8'))));
  const legacy = legacyRecord.safeParse(stored);
  if (legacy.success && legacy.data.textSource === undefined) {
    const textSource = /\.txt$/i.test(legacy.data.source) ? 'plain-text' : 'pdf-text';
    return determinationSchema.parse({ ...legacy.data, textSource });
  }
  return determinationSchema.parse(stored);
}

const LETTER_FLAG_SET: ReadonlySet<string> = new Set(LETTER_FLAGS);
const ITEM_FLAG_SET: ReadonlySet<string> = new Set(ITEM_FLAGS);

/**
 * The parser writes only this version's flags (the schema holds it to them), but a record may
 * have been stored by another version, e.g. a newer one before a rollback: a flag this version
 * does not know is left out on read rather than making the record, and with it an API page, the
 * export or the ingest's claim on its case, fail.
 */
function withKnownFlags(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const known = (flags: unknown, set: ReadonlySet<string>): unknown =>
    Array.isArray(flags) ? flags.filter((f) => typeof f !== 'string' || set.has(f)) : flags;
  const record = raw as { flags?: unknown; issues?: unknown };
  return {
    ...record,
    ...('flags' in record ? { flags: known(record.flags, LETTER_FLAG_SET) } : {}),
    ...(Array.isArray(record.issues)
      ? {
          issues: (record.issues as unknown[]).map((issue) =>
            typeof issue === 'object' && issue !== null && 'flags' in issue
              ? { ...issue, flags: known(issue.flags, ITEM_FLAG_SET) }
              : issue,
          ),
        }
      : {}),
  };
}

/**
 * Records stored before citations named their guideline get it on read, from the same fields the
 * parser derives it from; anything else is left for the schema to judge.
 */
function withGuidelines(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('issues' in raw) || !Array.isArray(raw.issues)) {
    return raw;
  }
  for (const issue of raw.issues as unknown[]) {
    if (typeof issue !== 'object' || issue === null) continue;
    for (const list of [
      (issue as { citations?: unknown }).citations,
      (issue as { claimsAdministratorCitations?: unknown }).claimsAdministratorCitations,
    ]) {
      if (!Array.isArray(list)) continue;
      for (const c of list as unknown[]) {
        if (typeof c !== 'object' || c === null || 'guideline' in c) continue;
        const { source, title, year, sections } = c as Record<string, unknown>;
        if (typeof source !== 'string' || typeof title !== 'string') continue;
        (c as { guideline?: unknown }).guideline = guidelineOf({
          source,
          title,
          year: typeof year === 'number' ? year : null,
          sections: Array.isArray(sections) ? sections.filter((x) => typeof x === 'string') : [],
        });
      }
    }
  }
  return raw;
}
