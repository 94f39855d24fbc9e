// npm run bench:scale: statistics latency as the store grows. Fills one in-memory DynamoDB Local
// step by step with synthetic letters as the ingest leaves them (records, index entries,
// counters; bench/fill.ts) to each size, and at each size times every /api/stats grouping through
// the local server, next to the same statistics read made directly (shared/stats/statistics.ts)
// in the same run. Then extrapolates to 1,000,000 letters and prints the write-capacity
// arithmetic of a backfill on AWS (bench/capacity.ts) from the items the letters really produce.
// Prints figures; asserts nothing.
//
//   npm run bench:scale [-- --sizes 10000,100000,200000] [--requests 200] [--heap 2g]
//                       [--max-rss-gb 12] [--backfill 1700000] [--concurrency 10]
//                       [--letter-seconds 0.54]
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseArgs } from 'node:util';
import { dynamoClientConfig, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { startLocalServer } from '../local/server.ts';
import { ensureTable } from '../local/stack.ts';
import { createLogger } from '../shared/logger.ts';
import { STATS_BY, statistics, type StatsBy } from '../shared/stats/index.ts';
import { MIN_BATCH_INTERVAL_MS, type CounterDelta } from '../shared/store/index.ts';

import {
  itemBytes,
  letterWritePlan,
  PARTITION_WCU_PER_SECOND,
  PartitionLoad,
  withoutYear,
} from './capacity.ts';
import { fillLetters, writeCounters } from './fill.ts';
import { cappedJvmEnv, dynamoDbLocalPid, rssBytes } from './jvm.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,200000' },
    requests: { type: 'string', default: '200' },
    heap: { type: 'string', default: '2g' },
    'max-rss-gb': { type: 'string', default: '10' },
    backfill: { type: 'string', default: '1700000' },
    concurrency: { type: 'string', default: '10' },
    // bench:ingest's handler time per letter (docs/RELIABILITY.md, "Write units per letter").
    'letter-seconds': { type: 'string', default: '0.54' },
  },
});
const SIZES = values.sizes.split(',').map(Number);
const REQUESTS = Number(values.requests);
const MAX_RSS = Number(values['max-rss-gb']) * 1024 ** 3;
const BACKFILL = Number(values.backfill);
const CONCURRENCY = Number(values.concurrency);
const LETTER_SECONDS = Number(values['letter-seconds']);
// What a new on-demand table sustains before it has scaled (AWS developer guide, on-demand).
const NEW_TABLE_WRU_PER_SECOND = 4_000;
const SEED = 13;
const TABLE = 'bench-scale';
// bench:ingest (docs/BENCHMARKS.md): letters/s from upload to queryable through the whole local ingest.
const LOCAL_INGEST_LETTERS_PER_SECOND = 35.2;
// DynamoDB on-demand, us-east-1: USD per million write request units (2024-11 price).
const USD_PER_MILLION_WRU = 0.625;
const log = (s: string): void => void process.stderr.write(`${s}\n`);

interface Timing {
  p50: number;
  p99: number;
}
interface Row {
  letters: number;
  by: StatsBy;
  api: Timing;
  direct: Timing;
  /** The same calls on the reference table (the smallest size), timed alternately with these. */
  refApi: Timing;
  refDirect: Timing;
}
interface Step {
  letters: number;
  items: number;
  counters: number;
  bytes: number;
  fillSeconds: number;
  jvmRss: number;
  nodeRss: number;
}

function percentiles(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50: at(0.5), p99: at(0.99) };
}

// Alternates the two calls, so both see the same moments of a busy machine.
async function timedPair(
  n: number,
  a: () => Promise<void>,
  b: () => Promise<void>,
): Promise<[Timing, Timing]> {
  const ms: [number[], number[]] = [[], []];
  for (let i = 0; i < n; i++) {
    for (const k of i % 2 === 0 ? ([0, 1] as const) : ([1, 0] as const)) {
      const t = performance.now();
      await (k === 0 ? a() : b());
      ms[k].push(performance.now() - t);
    }
  }
  return [percentiles(ms[0]), percentiles(ms[1])];
}

const db = await startDynamoDbLocal({ env: cappedJvmEnv(values.heap) });
const jvm = dynamoDbLocalPid(db.port);
const client = new DynamoDBClient(dynamoClientConfig(db.endpoint));
const table = { client, tableName: TABLE };
// The reference: a second table holding the smallest size, measured alongside at every size.
const refTable = { client, tableName: `${TABLE}-ref` };
const rows: Row[] = [];
const steps: Step[] = [];
const mixed = new PartitionLoad();
const oneYear = new PartitionLoad();
let errors = 0;
try {
  await ensureTable(client, TABLE);
  await ensureTable(client, refTable.tableName);
  log(`bench:scale: reference table of ${SIZES[0]} letters`);
  const ref = await fillLetters(refTable, { from: 0, to: SIZES[0]!, seed: SEED, log });
  await writeCounters(refTable, ref.counters);
  const quiet = { port: 0, logger: createLogger({ level: 'error' }) };
  const server = await startLocalServer({ table }, quiet);
  const refServer = await startLocalServer({ table: refTable }, quiet);
  try {
    let counters: CounterDelta[] = [];
    let letters = 0;
    let items = 0;
    let bytes = 0;
    let fillSeconds = 0;
    for (const size of SIZES) {
      log(
        `bench:scale: filling to ${size} letters (DynamoDB Local in memory, heap ${values.heap})`,
      );
      const started = performance.now();
      const filled = await fillLetters(table, {
        from: letters,
        to: size,
        seed: SEED,
        counters,
        log,
        onLetter: (id, record, requests) => {
          for (const r of requests) bytes += itemBytes(r.PutRequest!.Item!);
          const plan = letterWritePlan(id, record, requests[0]!.PutRequest!.Item!);
          mixed.add(plan);
          oneYear.add(plan, withoutYear);
        },
      });
      counters = filled.counters;
      const counterItems = await writeCounters(table, counters);
      fillSeconds += (performance.now() - started) / 1000;
      items += filled.items;
      letters = size;
      const counterBytes = counters.reduce(
        (n, d) =>
          n +
          itemBytes({
            PK: { S: d.PK },
            SK: { S: d.SK },
            upheld: { N: '9999' },
            overturned: { N: '999' },
          }),
        0,
      );
      steps.push({
        letters,
        items: items + counterItems,
        counters: counterItems,
        bytes: bytes + counterBytes,
        fillSeconds,
        jvmRss: rssBytes(jvm),
        nodeRss: process.memoryUsage().rss,
      });

      log(`  timing ${STATS_BY.length} groupings x ${REQUESTS} requests, API and direct`);
      for (const by of STATS_BY) {
        const viaApi = (base: string) => async (): Promise<void> => {
          const res = await fetch(`${base}api/stats?by=${by}`);
          if (res.status !== 200) errors++;
          await res.arrayBuffer();
        };
        const direct = (t: typeof table) => async (): Promise<void> =>
          void (await statistics(t, { by }));
        // Warm: JIT, connections, the API's cached list of years.
        await timedPair(10, viaApi(server.url), viaApi(refServer.url));
        await timedPair(10, direct(table), direct(refTable));
        const [api, refApi] = await timedPair(REQUESTS, viaApi(server.url), viaApi(refServer.url));
        const [d, refDirect] = await timedPair(REQUESTS, direct(table), direct(refTable));
        rows.push({ letters, by, api, direct: d, refApi, refDirect });
      }
      if (rssBytes(jvm) > MAX_RSS) {
        log(`  DynamoDB Local holds ${(rssBytes(jvm) / 1024 ** 3).toFixed(1)} GB: stopping here`);
        break;
      }
    }
  } finally {
    await server.close();
    await refServer.close();
  }
} finally {
  client.destroy();
  await db.stop();
}

const fmt = (n: number, d = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const gb = (n: number) => `${fmt(n / 1024 ** 3, 2)} GB`;
const out: string[] = [];
const say = (s = ''): void => void out.push(s);

say(
  `bench:scale (DynamoDB Local in memory, heap ${values.heap}; ${REQUESTS} sequential requests per grouping and size; 2-core machine)`,
);
say();
say('store at each size');
say(
  ['letters', 'items', 'counters', 'bytes (items)', 'fill letters/s', 'JVM RSS', 'node RSS']
    .map((c) => c.padStart(15))
    .join(''),
);
let previous = { letters: 0, fillSeconds: 0 };
for (const s of steps) {
  const rate = (s.letters - previous.letters) / (s.fillSeconds - previous.fillSeconds);
  previous = s;
  say(
    [
      fmt(s.letters),
      fmt(s.items),
      fmt(s.counters),
      gb(s.bytes),
      fmt(rate),
      gb(s.jvmRss),
      gb(s.nodeRss),
    ]
      .map((c) => c.padStart(15))
      .join(''),
  );
}
say();
say(
  `statistics latency, ms: API (HTTP through the local server) and direct (the same statistics() call without HTTP), each timed alternately with the same call on the reference table of ${fmt(SIZES[0]!)} letters`,
);
say(
  [
    'letters',
    'by',
    'API p50',
    'p99',
    'ref p50',
    'ref p99',
    'p50 ratio',
    'p99 ratio',
    'direct p99',
    'ref p99',
    'ratio',
  ]
    .map((c, i) => (i === 1 ? ` ${c.padEnd(16)}` : c.padStart(i === 0 ? 9 : 11)))
    .join(''),
);
for (const r of rows) {
  say(
    [
      fmt(r.letters),
      r.by,
      fmt(r.api.p50, 1),
      fmt(r.api.p99, 1),
      fmt(r.refApi.p50, 1),
      fmt(r.refApi.p99, 1),
      fmt(r.api.p50 / r.refApi.p50, 2),
      fmt(r.api.p99 / r.refApi.p99, 2),
      fmt(r.direct.p99, 1),
      fmt(r.refDirect.p99, 1),
      fmt(r.direct.p99 / r.refDirect.p99, 2),
    ]
      .map((c, i) => (i === 1 ? ` ${c.padEnd(16)}` : c.padStart(i === 0 ? 9 : 11)))
      .join(''),
  );
}
say();
say(
  `summed over the ${STATS_BY.length} groupings, each size / the reference table measured alongside it:`,
);
for (const n of steps.map((s) => s.letters)) {
  const at = rows.filter((r) => r.letters === n);
  const sum = (f: (r: Row) => number) => at.reduce((a, r) => a + f(r), 0);
  const ratio = (f: (r: Row) => number, g: (r: Row) => number) => fmt(sum(f) / sum(g), 2);
  say(
    `  ${fmt(n).padStart(9)} letters: API p50 ${ratio(
      (r) => r.api.p50,
      (r) => r.refApi.p50,
    )}, API p99 ${ratio(
      (r) => r.api.p99,
      (r) => r.refApi.p99,
    )}; direct p50 ${ratio(
      (r) => r.direct.p50,
      (r) => r.refDirect.p50,
    )}, direct p99 ${ratio(
      (r) => r.direct.p99,
      (r) => r.refDirect.p99,
    )}`,
  );
}
say(`  non-200 answers: ${errors}`);

const top = steps.at(-1)!;
const perLetter = {
  items: (top.items - top.counters) / top.letters,
  bytes: top.bytes / top.letters,
};
const million = 1_000_000;
// The slope between the first and last size: the JVM's own footprint is there at any size.
const base = steps[0]!;
const rssPerLetter =
  steps.length > 1
    ? (top.jvmRss - base.jvmRss) / (top.letters - base.letters)
    : top.jvmRss / top.letters;
say();
say(
  `extrapolation to ${fmt(million)} letters (measured up to ${fmt(top.letters)}; linear in letters, counters grow with distinct values and months only):`,
);
say(
  `  items      ${fmt(perLetter.items, 1)} per letter (record + index entries) -> ${fmt(perLetter.items * million)} + counters (${fmt(top.counters)} at ${fmt(top.letters)})`,
);
say(
  `  bytes      ${fmt(perLetter.bytes)} per letter -> ${gb(perLetter.bytes * million)} (DynamoDB item sizes; storage billed with 100 bytes overhead per item: ${gb((perLetter.bytes + 100 * perLetter.items) * million)})`,
);
say(
  `  bulk fill  ${fmt(top.letters / top.fillSeconds)} letters/s here -> ${fmt(million / (top.letters / top.fillSeconds) / 60)} min; through the whole local ingest at ${LOCAL_INGEST_LETTERS_PER_SECOND} letters/s (bench:ingest) -> ${fmt(million / LOCAL_INGEST_LETTERS_PER_SECOND / 3600, 1)} h`,
);
say(
  `  JVM RSS    ${fmt(rssPerLetter / 1024, 1)} KB per letter (slope between the sizes) -> ${gb(base.jvmRss + rssPerLetter * (million - base.letters))} for DynamoDB Local in memory`,
);

const wcu = mixed.units / mixed.letters;
say();
say(
  `write capacity of the ingest on AWS (arithmetic over ${fmt(mixed.letters)} letters' real items; transactional writes 2 units per KB; each letter's batch as if it held that letter alone):`,
);
say(
  `  per letter  ${fmt(wcu, 1)} write units: ${[...mixed.byKind].map(([k, u]) => `${k} ${fmt(u / mixed.letters, 1)}`).join(', ')}`,
);
say(
  `  backfill    ${fmt(BACKFILL)} letters -> ${fmt((wcu * BACKFILL) / 1e6, 1)} million write request units = USD ${fmt((wcu * BACKFILL * USD_PER_MILLION_WRU) / 1e6, 2)} on demand`,
);
const rate = CONCURRENCY / LETTER_SECONDS;
say(
  `  at concurrency ${CONCURRENCY}, ${LETTER_SECONDS} s per letter: ${fmt(rate, 1)} letters/s, ${fmt(rate * wcu)} WCU/s, ${fmt(BACKFILL / rate / 3600, 1)} h`,
);
for (const [name, load] of [
  ['years mixed (as the synthetic series)', mixed],
  ['one decision year at a time (worst order)', oneYear],
] as const) {
  say(`  hottest partitions, ${name}:`);
  for (const h of load.hottest(8)) {
    say(
      `    ${h.partition.padEnd(36)} ${fmt(h.unitsPerLetter, 2).padStart(7)} units/letter -> ${fmt(h.lettersPerSecond).padStart(6)} letters/s at ${fmt(PARTITION_WCU_PER_SECOND)} WCU/s; at ${fmt(rate, 1)} letters/s: ${fmt(h.unitsPerLetter * rate)} WCU/s`,
    );
  }
}
say(
  `  a new on-demand table sustains ${fmt(NEW_TABLE_WRU_PER_SECOND)} write units/s until it has scaled (or is pre-warmed): ${fmt(NEW_TABLE_WRU_PER_SECOND / wcu, 1)} letters/s`,
);
say(
  `  counters and lane ledgers: written once per batch, and a lane starts a batch at most every ${MIN_BATCH_INTERVAL_MS} ms: at most ${fmt(1000 / MIN_BATCH_INTERVAL_MS)} counter updates and ${fmt(2000 / MIN_BATCH_INTERVAL_MS)} ledger updates a second per item, whatever the letter rate`,
);
process.stdout.write(out.join('\n') + '\n');
