// Bulk fill for benchmarks: synthetic letters written as the ingest leaves them (the complete
// record and its index entries with BatchWriteItem, counters summed and put at the end), far
// faster than the ingest's guarded transactions. Used by bench:api, bench:scale and bench:load.
import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { forEachLimit } from '../shared/concurrency.ts';
import type { Determination } from '../shared/record/index.ts';
import { parseLetter } from '../shared/parser/index.ts';
import {
  counterDeltas,
  mergeDeltas,
  type CounterDelta,
  type TableDeps,
} from '../shared/store/index.ts';
import { batchWrite, counterLoadRequests, loadRequests } from './bulk-load.ts';
import { generateLetter } from '../synthetic/generate.ts';

export interface FillOptions {
  /** Synthetic letter indexes [from, to) of series `seed`. */
  from: number;
  to: number;
  seed: number;
  /** BatchWriteItem requests in flight. */
  inFlight?: number;
  /** Counters summed so far (a fill in several steps); the result adds this step's. */
  counters?: CounterDelta[];
  /** Each letter as written: its id, parsed record and the write requests (record, entries). */
  onLetter?: (id: string, record: Determination, requests: WriteRequest[]) => void;
  /** Progress, every 10,000 letters and at the end. */
  log?: (line: string) => void;
}

export interface Filled {
  ids: string[];
  /** Every counter of the letters filled so far, summed (not yet written: `writeCounters`). */
  counters: CounterDelta[];
  /** Items written (records and index entries). */
  items: number;
}

/** Writes letters `from`..`to` as the ingest would leave them, except their counters. */
export async function fillLetters(table: TableDeps, options: FillOptions): Promise<Filled> {
  const ids: string[] = [];
  let counters = options.counters ?? [];
  let items = 0;
  const inFlight = options.inFlight ?? 16;
  const started = performance.now();
  const BLOCK = 500;
  for (let from = options.from; from < options.to; from += BLOCK) {
    const requests: WriteRequest[] = [];
    const deltas: CounterDelta[] = [];
    for (let index = from; index < Math.min(options.to, from + BLOCK); index++) {
      const letter = generateLetter(index, options.seed, 'text');
      const record = await parseLetter(letter.bytes, letter.fileName);
      const id = record.caseNumber!;
      ids.push(id);
      const own = loadRequests({
        id,
        record,
        contentHash: `bench-${options.seed}-${index}`,
        organisation: 'bench',
        sourceKey: `uploads/bench/${letter.fileName}`,
        sequencer: String(index).padStart(32, '0'),
        now: new Date().toISOString(),
      });
      options.onLetter?.(id, record, own);
      requests.push(...own);
      deltas.push(...counterDeltas(id, record));
    }
    await writeAll(table, requests, inFlight);
    items += requests.length;
    // Summed block by block, so memory holds the distinct counters, however many letters.
    counters = mergeDeltas(counters, deltas);
    const done = Math.min(options.to, from + BLOCK) - options.from;
    if (done % 10_000 === 0 || from + BLOCK >= options.to) {
      const secs = (performance.now() - started) / 1000;
      options.log?.(
        `  filled ${done}/${options.to - options.from} letters (${Math.round(done / secs)} letters/s)`,
      );
    }
  }
  return { ids, counters, items };
}

/** Puts the summed counters (absolute values: run it after the last fill step). */
export async function writeCounters(
  table: TableDeps,
  counters: CounterDelta[],
  inFlight = 16,
): Promise<number> {
  const requests = counterLoadRequests(counters);
  await writeAll(table, requests, inFlight);
  return requests.length;
}

// batchWrite sends its batches one after another; this keeps `inFlight` of them going.
function writeAll(table: TableDeps, requests: WriteRequest[], inFlight: number): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += 25) batches.push(requests.slice(i, i + 25));
  return forEachLimit(batches, inFlight, (b) => batchWrite(table, b));
}
