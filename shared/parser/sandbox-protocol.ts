import { z } from 'zod';
import { determinationSchema } from '../record/index.ts';
import { LETTER_FORMAT_REASONS } from '../errors.ts';

// The messages between the parse sandbox (parse-sandbox.ts) and its worker (parse-worker.ts),
// checked on both sides: a message is data from another thread.

export const limitsSchema = z.object({
  pages: z.number().int().positive(),
  characters: z.number().int().positive(),
  wallMs: z.number().positive(),
  heapMb: z.number().positive(),
  growthMb: z.number().positive(),
  scan: z.object({
    pages: z.number().int().positive(),
    wallMs: z.number().positive(),
    growthMb: z.number().positive(),
  }),
});

/** One letter to parse. */
export const jobSchema = z.object({
  id: z.number().int(),
  bytes: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array'),
  fileName: z.string(),
  limits: limitsSchema,
});
export type Job = z.infer<typeof jobSchema>;

/** What the worker says: ready for letters, or what became of one. */
export const replySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready') }),
  // The letter is a scan: from now on it is held to the scan limits (limits.ts, forScan).
  z.object({ kind: z.literal('scan'), id: z.number().int() }),
  // OCR read `page` of `pages` (0 when it starts).
  z.object({
    kind: z.literal('progress'),
    id: z.number().int(),
    page: z.number().int(),
    pages: z.number().int(),
  }),
  z.object({ kind: z.literal('parsed'), id: z.number().int(), determination: determinationSchema }),
  z.object({
    kind: z.literal('rejected'),
    id: z.number().int(),
    reason: z.enum(LETTER_FORMAT_REASONS),
    message: z.string(),
  }),
  // A parser bug: reported as an Error, so the ingest records `parser-error`.
  z.object({ kind: z.literal('crashed'), id: z.number().int(), message: z.string() }),
]);
export type Reply = z.infer<typeof replySchema>;
