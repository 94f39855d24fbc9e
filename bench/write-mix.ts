// npm run bench:write-mix: what one letter of the synthetic mix asks the table to write, and how
// much of it batching could merge (docs/RELIABILITY.md, "Write units per letter"). Pure
// arithmetic over the parser's output, no DynamoDB: per letter, its items, its index entries by
// dimension and its counter updates; then, over batches of letters, how many distinct counter
// items the current layout and a year-packed layout (one item per value and year holding its
// months, no shards) would update, and what a whole packed layout would cost per letter
// (packedBatchUnits, bench/capacity.ts). Prints figures; asserts nothing.
//
//   npm run bench:write-mix [-- --letters 2000] [--batches 100,1000,5000] [--seed 7]
import { parseArgs } from 'node:util';
import { parseLetterText } from '../shared/parser/index.ts';
import { counterDeltas, indexEntries, caseId } from '../shared/store/index.ts';
import { generateSpec, renderSyntheticText } from '../synthetic/generate.ts';
import { loadRequests } from './bulk-load.ts';
import { packedBatchUnits, yearPackedCounter } from './capacity.ts';

const { values } = parseArgs({
  options: {
    letters: { type: 'string', default: '2000' },
    batches: { type: 'string', default: '100,1000,5000' },
    seed: { type: 'string', default: '7' },
  },
});
const LETTERS = Number(values.letters);
const BATCHES = values.batches.split(',').map(Number);
const SEED = Number(values.seed);
const log = (s: string): void => void process.stdout.write(`${s}\n`);

function letter(index: number): { id: string; record: ReturnType<typeof parseLetterText> } {
  const spec = generateSpec(index, SEED);
  const record = parseLetterText(renderSyntheticText(spec), `${spec.caseNumber}.txt`);
  return { id: caseId(record.caseNumber, '0'.repeat(64)), record };
}

let items = 0;
let entries = 0;
let counters = 0;
const byDimension = new Map<string, number>();
const letterPartitions = new Set<string>();
let packedEntries = 0;
for (let i = 0; i < LETTERS; i++) {
  const { id, record } = letter(i);
  items += record.issues.length;
  const e = indexEntries(id, record);
  entries += e.length;
  letterPartitions.clear();
  for (const entry of e) {
    const dimension = entry.PK.split('#')[1]!;
    byDimension.set(dimension, (byDimension.get(dimension) ?? 0) + 1);
    letterPartitions.add(`${entry.PK}|${entry.item.decision}`);
  }
  packedEntries += letterPartitions.size;
  counters += counterDeltas(id, record).length;
  if ((i + 1) % 500 === 0) process.stderr.write(`bench:write-mix: ${i + 1}/${LETTERS} letters\n`);
}
const per = (n: number): string => (n / LETTERS).toFixed(2);
log(`synthetic mix: ${LETTERS} letters (seed ${SEED})`);
log(`items per letter: ${per(items)}`);
log(
  `index entries per letter: ${per(entries)} (one per letter, partition and decision: ${per(packedEntries)})`,
);
for (const [dimension, n] of [...byDimension].sort((a, b) => b[1] - a[1])) {
  log(`  ${dimension.padEnd(12)} ${per(n)}`);
}
log(`counter updates per letter: ${per(counters)}`);

// Each batch generated once, for both tables.
const counterRows: string[] = [];
const packedRows: string[] = [];
for (const size of BATCHES) {
  const current = new Set<string>();
  const unsharded = new Set<string>();
  const yearPacked = new Set<string>();
  const batch = Array.from({ length: size }, (_, i) => {
    const { id, record } = letter(LETTERS + i);
    for (const d of counterDeltas(id, record)) {
      current.add(`${d.PK}|${d.SK}`);
      unsharded.add(`${d.PK.replace(/#\d+$/, '')}|${d.SK}`);
      const packed = yearPackedCounter(d);
      yearPacked.add(`${packed.pk}|${packed.sk}`);
    }
    const recordItem = loadRequests({
      id,
      record,
      contentHash: '0'.repeat(64),
      organisation: 'bench',
      sourceKey: `uploads/bench/${id}.txt`,
      sequencer: '0'.repeat(32),
      now: '2026-12-03T00:00:00.000Z',
    })[0]!.PutRequest!.Item!;
    return { id, record, recordItem };
  });
  const c = (s: Set<string>): string => (s.size / size).toFixed(2).padStart(8);
  counterRows.push(
    `  ${String(size).padEnd(7)} ${c(current)}         ${c(unsharded)}    ${c(yearPacked)}`,
  );
  const u = packedBatchUnits(batch);
  const f = (n: number, w: number): string => n.toFixed(2).padStart(w);
  packedRows.push(
    `  ${String(size).padEnd(7)}${f(u.record, 7)}${f(u.status, 9)}${f(u.postings, 11)}${f(u.counters, 11)}${f(u.total, 9)}`,
  );
}
log('distinct counter items per letter when a batch of letters is summed first:');
log('  batch   current layout   no shards   year-packed, no shards');
counterRows.forEach((row) => log(row));
log('a packed layout (not built), write units per letter for each batch written at once:');
log('  batch    record   status   postings   counters    total');
packedRows.forEach((row) => log(row));
