// npm run bench:load: the local stack under load, in two parts. Prints figures; asserts nothing.
//
// 1. Uploads at once: N synthetic letters PUT into the local S3 all together (up to
//    --upload-concurrency requests in flight), ingested through S3 events → the SQS stand-in →
//    the ingest handler (concurrency --ingest-concurrency, as the deployed maxConcurrency). Time
//    until every letter is queryable, per-letter latency upload → status recorded → receipt
//    written, retries, transaction conflicts, dead letters; then every status, receipt and counter
//    checked (counters against a recount of the stored determinations). Reference, same run and
//    stack: N other letters offered at the pace the ingest takes them (at most the ingest
//    concurrency in flight: each next upload starts when one letter's status is recorded).
// 2. The API at a fixed --rate (default 200 requests/s) for --seconds (default 60), a realistic
//    mix from several autocannon processes (bench/load.ts, one per endpoint, so each gets its own
//    percentiles): lookups, item lists with filters, statistics, similar requests, recent
//    determinations. Reference, same run: the same mix at about 10 requests/s.
//
//   npm run bench:load [-- --letters 1000] [--upload-concurrency 1000] [--ingest-concurrency 10]
//                      [--fill 10000] [--seconds 60] [--rate 200] [--ref-rate 10]
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { parseArgs } from 'node:util';
import { startLocalServer } from '../local/server.ts';
import { startLocalStack } from '../local/stack.ts';
import { LOCAL_CREDENTIALS } from '../shared/aws/index.ts';
import { forEachLimit } from '../shared/concurrency.ts';
import type { Determination } from '../shared/record/index.ts';
import { UPLOAD_ID_METADATA } from '../shared/ingest/index.ts';
import { createLogger } from '../shared/logger.ts';
import { parseLetter } from '../shared/parser/index.ts';
import { readReceipt, receiptKey } from '../shared/receipts/index.ts';
import { terms } from '../shared/search/index.ts';
import { STATS_BY } from '../shared/stats/index.ts';
import { loadRequests } from './bulk-load.ts';
import { getUploads } from '../shared/store/index.ts';
import { generateLetter } from '../synthetic/generate.ts';
import { snapshot } from '../scripts/chaos/audit.ts';
import { letterWritePlan } from './capacity.ts';
import { fillLetters, writeCounters } from './fill.ts';
import { instrumentDynamo, instrumentS3 } from './instrument.ts';
import { spawnLoad, type LoadResult } from './load-client.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({
  options: {
    letters: { type: 'string', default: '1000' },
    'upload-concurrency': { type: 'string', default: '1000' },
    'ingest-concurrency': { type: 'string', default: '10' },
    fill: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '60' },
    rate: { type: 'string', default: '200' },
    'ref-rate': { type: 'string', default: '10' },
    heap: { type: 'string', default: '2g' },
  },
});
const LETTERS = Number(values.letters);
const UPLOAD_CONCURRENCY = Number(values['upload-concurrency']);
const INGEST_CONCURRENCY = Number(values['ingest-concurrency']);
const FILL = Number(values.fill);
const SECONDS = Number(values.seconds);
const RATE = Number(values.rate);
const REF_RATE = Number(values['ref-rate']);
const SEED = 17;
const log = (s: string): void => void process.stderr.write(`${s}\n`);
// The JVM the stack starts reads its heap cap from here (bench/jvm.ts does the same by env).
process.env.JAVA_TOOL_OPTIONS = `-Xmx${values.heap}`;

const fmt = (n: number, d = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
function quantiles(ms: number[]): { p50: number; p90: number; p99: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s.at(-1) ?? NaN };
}

interface Letter {
  index: number;
  key: string;
  bytes: Uint8Array;
}
const letterAt = (index: number): Letter => {
  const l = generateLetter(index, SEED, 'text');
  return { index, key: `uploads/bench-load/${l.fileName}`, bytes: l.bytes };
};

// In memory: the bulk fill on DynamoDB Local's disk store runs at tens of letters per second.
const stack = await startLocalStack({
  dataDir: null,
  logger: createLogger({ level: 'error' }),
  concurrency: INGEST_CONCURRENCY,
});
// When each upload's status was recorded and its receipt written (performance.now()).
const statusAt = new Map<string, number>();
const receiptAt = new Map<string, number>();
const waiting = new Map<string, () => void>();
const dynamo = instrumentDynamo(stack.dynamodb, (key, at) => {
  statusAt.set(key, at);
  waiting.get(key)?.();
});
instrumentS3(stack.s3, (key, at) => receiptAt.set(key, at));
// The uploader's own client, with a socket per upload in flight (the SDK's default is 50).
const uploader = new S3Client({
  region: 'us-east-1',
  endpoint: stack.s3Endpoint,
  credentials: LOCAL_CREDENTIALS,
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
  requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: UPLOAD_CONCURRENCY }) },
});
const upload = (l: Letter): Promise<unknown> =>
  uploader.send(
    new PutObjectCommand({
      Bucket: stack.bucket,
      Key: l.key,
      Body: l.bytes,
      Metadata: { [UPLOAD_ID_METADATA]: randomUUID() },
    }),
  );

interface IngestRun {
  name: string;
  seconds: number;
  uploadSeconds: number;
  status: ReturnType<typeof quantiles>;
  receipt: ReturnType<typeof quantiles>;
  retried: number;
  deadLettered: number;
  conflicts: number;
  writeUnits: number;
  readUnits: number;
  calls: number;
}

function ingestFigures(
  name: string,
  letters: Letter[],
  sentAt: Map<string, number>,
  started: number,
  uploaded: number,
  before: { retried: number; deadLettered: number },
): IngestRun {
  const end = Math.max(...letters.map((l) => receiptAt.get(receiptKey(l.key)!) ?? NaN));
  const c = dynamo.counts;
  return {
    name,
    seconds: (end - started) / 1000,
    uploadSeconds: (uploaded - started) / 1000,
    status: quantiles(letters.map((l) => statusAt.get(l.key)! - sentAt.get(l.key)!)),
    receipt: quantiles(letters.map((l) => receiptAt.get(receiptKey(l.key)!)! - sentAt.get(l.key)!)),
    retried: stack.ingest.counts.retried - before.retried,
    deadLettered: stack.ingest.counts.deadLettered - before.deadLettered,
    conflicts: c.conflicts,
    writeUnits: c.writeUnits,
    readUnits: c.readUnits,
    calls: [...c.calls.values()].reduce((a, b) => a + b, 0),
  };
}

/** Part 1a: every upload at once. */
async function burst(letters: Letter[]): Promise<IngestRun> {
  dynamo.reset();
  const before = { ...stack.ingest.counts };
  const sentAt = new Map<string, number>();
  const started = performance.now();
  await forEachLimit(letters, UPLOAD_CONCURRENCY, async (l) => {
    sentAt.set(l.key, performance.now());
    await upload(l);
  });
  const uploaded = performance.now();
  await stack.ingest.idle();
  return ingestFigures('at once', letters, sentAt, started, uploaded, before);
}

/** Part 1b, the reference: uploads offered as fast as the ingest takes them, no queue. */
async function paced(letters: Letter[]): Promise<IngestRun> {
  dynamo.reset();
  const before = { ...stack.ingest.counts };
  const sentAt = new Map<string, number>();
  const started = performance.now();
  await forEachLimit(letters, INGEST_CONCURRENCY, async (l) => {
    const recorded = new Promise<void>((done) => waiting.set(l.key, done));
    sentAt.set(l.key, performance.now());
    await upload(l);
    await recorded;
    waiting.delete(l.key);
  });
  const uploaded = performance.now();
  await stack.ingest.idle();
  return ingestFigures('paced (reference)', letters, sentAt, started, uploaded, before);
}

/** One autocannon process (bench/load.ts) at a fixed rate. */
function rateLoad(
  base: string,
  paths: string[],
  rate: number,
  seconds: number,
): Promise<LoadResult> {
  // One request in flight per connection: a connection per 5 requests/s keeps the rate while
  // answers take up to 200 ms (more connections only add contention on a 2-core machine).
  const connections = Math.max(2, Math.ceil(rate / 5));
  return spawnLoad({ base, paths, seconds, connections, rate });
}

/** The API mix: paths per endpoint and each one's share of the requests. */
function apiMix(
  ids: string[],
  records: Determination[],
): { name: string; share: number; paths: string[] }[] {
  const issues = records.flatMap((r) => r.issues);
  const distinct = <T>(xs: (T | null | undefined)[]): T[] => [
    ...new Set(xs.filter((x): x is T => x !== null && x !== undefined)),
  ];
  const q = (params: Record<string, string>) => new URLSearchParams(params).toString();
  const categories = distinct(issues.map((i) => i.category));
  const drugs = distinct(issues.map((i) => i.drug)).slice(0, 40);
  const regions = distinct(issues.map((i) => i.bodyRegion)).slice(0, 20);
  const specialties = distinct(records.flatMap((r) => r.reviewer.specialties)).slice(0, 20);
  const words = distinct(issues.flatMap((i) => terms(i.request).slice(0, 1))).slice(0, 40);
  const years = ['2015', '2018', '2021', '2024'];
  const items = [
    ...categories.map((category) => q({ category })),
    ...categories.map((category, i) =>
      q({ category, decision: 'overturned', from: years[i % 4]! }),
    ),
    ...drugs.map((drug) => q({ drug })),
    ...drugs.map((drug, i) => q({ drug, decision: 'upheld', to: years[i % 4]! })),
    ...regions.map((bodyRegion, i) =>
      q({ bodyRegion, from: `${years[i % 4]}-01`, to: `${years[i % 4]}-12` }),
    ),
    ...specialties.map((specialty) => q({ specialty, limit: '50' })),
    ...words.map((word) => q({ q: word })),
    q({ limit: '100' }),
  ].map((s) => `/api/items?${s}`);
  const stats = [
    ...STATS_BY.map((by) => q({ by })),
    ...STATS_BY.filter((by) => by !== 'category').map((by) =>
      q({ by, category: 'Pharmaceuticals' }),
    ),
    ...STATS_BY.map((by, i) => q({ by, from: `${years[i % 4]}-01`, to: '2024-12' })),
  ].map((s) => `/api/stats?${s}`);
  const similar = distinct(issues.map((i) => i.request))
    .filter((r) => r.length <= 300)
    .slice(0, 60)
    .map((request) => `/api/stats/similar?${q({ request })}`);
  const step = Math.max(1, Math.floor(ids.length / 2000));
  const lookups = ids.filter((_, i) => i % step === 0).map((id) => `/api/determinations/${id}`);
  return [
    { name: 'GET /api/determinations/{caseNumber}', share: 0.35, paths: lookups },
    { name: 'GET /api/items?<filters>', share: 0.3, paths: items },
    { name: 'GET /api/stats?by=...', share: 0.2, paths: stats },
    { name: 'GET /api/stats/similar?request=...', share: 0.1, paths: similar },
    {
      name: 'GET /api/determinations?limit=',
      share: 0.05,
      paths: ['/api/determinations?limit=20', '/api/determinations?limit=50'],
    },
  ];
}

const out: string[] = [];
const say = (s = ''): void => void out.push(s);
try {
  log(
    `bench:load: ${FILL} letters bulk-filled, then ${LETTERS} uploaded at once and ${LETTERS} paced`,
  );
  const filled = await fillLetters(stack.table, {
    from: 2 * LETTERS,
    to: 2 * LETTERS + FILL,
    seed: SEED,
    log,
  });
  await writeCounters(stack.table, filled.counters);

  const first = Array.from({ length: LETTERS }, (_, i) => letterAt(i));
  const second = Array.from({ length: LETTERS }, (_, i) => letterAt(LETTERS + i));
  log(`  ${LETTERS} uploads at once`);
  const atOnce = await burst(first);
  log(`  ${LETTERS} uploads paced`);
  const reference = await paced(second);
  const all = [...first, ...second];

  log('  checking every status, receipt and counter');
  const statuses = await getUploads(
    stack.table,
    all.map((l) => l.key),
  );
  const parsedStatuses = statuses.filter((s) => s.status === 'parsed').length;
  let receiptsOk = 0;
  await forEachLimit(all, 16, async (l) => {
    const r = await readReceipt(stack.s3, stack.bucket, receiptKey(l.key)!);
    if (r.kind === 'ok' && r.receipt.status === 'parsed') receiptsOk++;
  });
  const snap = await snapshot(stack);
  const counterDiffs = [...new Set([...snap.counters.keys(), ...snap.recount.keys()])].filter(
    (k) => snap.counters.get(k) !== snap.recount.get(k),
  ).length;
  const missingEntries = [...snap.expectedIndexEntries].filter(
    (e) => !snap.indexEntries.has(e),
  ).length;
  const strayEntries = [...snap.indexEntries].filter(
    (e) => !snap.expectedIndexEntries.has(e),
  ).length;

  // The capacity arithmetic of bench/capacity.ts for the same letters, next to what DynamoDB
  // Local reported while ingesting them.
  const records: Determination[] = [];
  let planned = 0;
  for (const l of first) {
    const record = await parseLetter(l.bytes, l.key.slice(l.key.lastIndexOf('/') + 1));
    records.push(record);
    const [recordItem] = loadRequests({
      id: record.caseNumber!,
      record,
      contentHash: 'x'.repeat(64),
      organisation: 'bench',
      sourceKey: l.key,
      sequencer: '0'.repeat(32),
      now: new Date().toISOString(),
    });
    planned += letterWritePlan(record.caseNumber!, record, recordItem!.PutRequest!.Item!).reduce(
      (n, w) => n + w.units,
      0,
    );
  }

  say(
    `bench:load (local stack, DynamoDB Local in memory, heap ${values.heap}; ingest concurrency ${INGEST_CONCURRENCY}; ${fmt(FILL)} letters bulk-filled first; 2-core machine)`,
  );
  say();
  say(`1. ${fmt(LETTERS)} uploads through local S3 -> events -> queue -> ingest`);
  say(
    [
      'run'.padEnd(20),
      'uploads sent',
      'all receipts',
      'letters/s',
      'status p50',
      'p90',
      'p99',
      'max',
      'receipt p99',
      'retried',
      'dead',
      'conflicts',
      'calls/letter',
    ]
      .map((c, i) => (i === 0 ? c : c.padStart(14)))
      .join(''),
  );
  for (const r of [atOnce, reference]) {
    say(
      [
        r.name.padEnd(20),
        `${fmt(r.uploadSeconds, 1)} s`,
        `${fmt(r.seconds, 1)} s`,
        fmt(LETTERS / r.seconds, 1),
        `${fmt(r.status.p50 / 1000, 2)} s`,
        `${fmt(r.status.p90 / 1000, 2)} s`,
        `${fmt(r.status.p99 / 1000, 2)} s`,
        `${fmt(r.status.max / 1000, 2)} s`,
        `${fmt(r.receipt.p99 / 1000, 2)} s`,
        fmt(r.retried),
        fmt(r.deadLettered),
        `${fmt(r.conflicts)} (${fmt(r.conflicts / LETTERS, 2)}/l)`,
        fmt(r.calls / LETTERS, 1),
      ]
        .map((c, i) => (i === 0 ? c : c.padStart(14)))
        .join(''),
    );
  }
  say(
    `  throughput at once / paced: ${fmt(LETTERS / atOnce.seconds / (LETTERS / reference.seconds), 2)}; status p50 at once / paced: ${fmt(atOnce.status.p50 / reference.status.p50, 1)} (queueing: ${fmt(LETTERS)} letters wait for ${INGEST_CONCURRENCY} workers)`,
  );
  say(
    `  checked: ${fmt(parsedStatuses)}/${fmt(all.length)} statuses parsed, ${fmt(receiptsOk)}/${fmt(all.length)} receipts parsed, ${fmt(snap.determinations.size)} determinations (${fmt(FILL)} filled + ${fmt(all.length)} uploaded), counters differing from the recount: ${counterDiffs} of ${fmt(snap.counters.size)}, index entries missing ${missingEntries} / stray ${strayEntries}, markers left ${snap.markers}, jobs left queued ${snap.queued}, throttled ${dynamo.counts.throttled}`,
  );
  say(
    `  write units per letter: DynamoDB Local reported ${fmt(atOnce.writeUnits / LETTERS, 1)} (table + GSI, all calls); AWS billing by bench/capacity.ts for the same letters (transactional writes 2 per KB; DynamoDB Local does not bill transactions as AWS does) ${fmt(planned / LETTERS, 1)}`,
  );

  log(`  API: ${RATE} requests/s for ${SECONDS} s, and the reference at ${REF_RATE}/s`);
  const server = await startLocalServer(stack, {
    port: 0,
    logger: createLogger({ level: 'error' }),
  });
  try {
    const mix = apiMix([...filled.ids, ...records.map((r) => r.caseNumber!)], records);
    // Every path answers 200 before the load starts, so a non-2xx under load means load.
    let dropped = 0;
    for (const m of mix) {
      const ok: string[] = [];
      for (const p of m.paths) {
        const res = await fetch(new URL(p, server.url));
        await res.arrayBuffer();
        if (res.status === 200) ok.push(p);
        else {
          dropped++;
          log(`  left out (${res.status}): ${p}`);
        }
      }
      m.paths = ok;
    }
    const run = (rate: number) =>
      Promise.all(
        mix.map((m) =>
          rateLoad(server.url, m.paths, Math.max(1, Math.round(rate * m.share)), SECONDS),
        ),
      );
    const low = await run(REF_RATE);
    const high = await run(RATE);
    say();
    say(
      `2. the API at ${RATE} requests/s for ${SECONDS} s (reference: the same mix at ${REF_RATE}/s for ${SECONDS} s, same run); ms`,
    );
    say(
      [
        'endpoint'.padEnd(40),
        'rate',
        'requests',
        'p50',
        'p90',
        'p99',
        'max',
        'errors',
        'non-2xx',
        `p99@${REF_RATE}`,
        'p99 ratio',
      ]
        .map((c, i) => (i === 0 ? c : c.padStart(9)))
        .join(''),
    );
    mix.forEach((m, i) => {
      const h = high[i]!;
      const l = low[i]!;
      say(
        [
          m.name.padEnd(40),
          fmt(Math.max(1, Math.round(RATE * m.share))),
          fmt(h.requests),
          fmt(h.p50),
          fmt(h.p90),
          fmt(h.p99),
          fmt(h.max),
          fmt(h.errors),
          fmt(h.non2xx),
          fmt(l.p99),
          `${fmt(h.p99 / l.p99, 2)}x`,
        ]
          .map((c, j) => (j === 0 ? c : c.padStart(9)))
          .join(''),
      );
    });
    const total = (rs: LoadResult[], k: 'requests' | 'errors' | 'non2xx') =>
      rs.reduce((n, r) => n + r[k], 0);
    say(
      `  all: ${fmt(total(high, 'requests'))} requests (${fmt(total(high, 'requests') / SECONDS, 1)}/s offered ${RATE}/s), errors ${total(high, 'errors')}, non-2xx ${total(high, 'non2xx')}; at ${REF_RATE}/s: ${fmt(total(low, 'requests'))} requests, errors ${total(low, 'errors')}, non-2xx ${total(low, 'non2xx')}; paths left out before the run (not 200): ${dropped}`,
    );
    say(
      `  paths: ${mix.map((m) => `${m.paths.length} ${m.name.split('?')[0]!.replace('GET ', '')}`).join(', ')}. autocannon reports whole milliseconds.`,
    );
  } finally {
    await server.close();
  }
} finally {
  uploader.destroy();
  await stack.stop();
}
process.stdout.write(out.join('\n') + '\n');
