// npm run bench:api: latency and throughput of the API through the local server (HTTP, the API
// Gateway adapter, the handlers, DynamoDB Local), for a determination, an items query and a
// statistics query, on a store of 1,000 and one of 100,000 synthetic letters; next to the raw
// GetItem/Query the endpoint rests on, measured on the same store in the same run. Prints
// figures; asserts nothing.
//
//   npm run bench:api [-- --letters 100000] [--small 1000] [--seconds 10] [--connections 8]
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { parseArgs } from 'node:util';
import { dynamoClientConfig, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { startLocalServer } from '../local/server.ts';
import { ensureTable } from '../local/stack.ts';
import { createLogger } from '../shared/logger.ts';
import {
  toItem,
  type TableDeps,
  determinationKey,
  indexPartition,
  STATS_ALL_TIME_PREFIX,
  STATS_SHARDS,
  statsPartition,
  readTallies,
} from '../shared/store/index.ts';
import { fillLetters, writeCounters } from './fill.ts';
import { spawnLoad } from './load-client.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const { values } = parseArgs({
  options: {
    letters: { type: 'string', default: '100000' },
    small: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '8' },
  },
});
const SIZES = [Number(values.small), Number(values.letters)];
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const SEED = 11;
const TABLE = 'bench-api';
const log = (s: string): void => void process.stderr.write(`${s}\n`);

interface Figures {
  perSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Fills an empty table with `letters` synthetic letters as the ingest would leave them. */
async function fill(table: TableDeps, letters: number): Promise<string[]> {
  const filled = await fillLetters(table, { from: 0, to: letters, seed: SEED, log });
  await writeCounters(table, filled.counters);
  return filled.ids;
}

/** HTTP load from a separate process (bench/load.ts, autocannon). */
async function httpLoad(base: string, paths: string[]): Promise<Figures> {
  const r = await spawnLoad({ base, paths, seconds: SECONDS, connections: CONNECTIONS });
  return { perSecond: r.perSecond, p50: r.p50, p99: r.p99, errors: r.errors + r.non2xx };
}

/** The same number of store calls in flight, made directly with the SDK client. */
async function rawLoad(call: (i: number) => Promise<unknown>): Promise<Figures> {
  const latencies: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  let next = 0;
  let errors = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await call(next++);
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { perSecond: latencies.length / SECONDS, p50: at(0.5), p99: at(0.99), errors };
}

interface Row {
  letters: number;
  endpoint: string;
  api: Figures;
  raw: Figures;
  same: Figures;
}
const rows: Row[] = [];

for (const letters of SIZES) {
  log(`bench:api: ${letters} letters in DynamoDB Local (in memory)`);
  const db = await startDynamoDbLocal({});
  const client = new DynamoDBClient(dynamoClientConfig(db.endpoint));
  try {
    await ensureTable(client, TABLE);
    const table = { client, tableName: TABLE };
    const ids = await fill(table, letters);
    const server = await startLocalServer(
      { table },
      { port: 0, logger: createLogger({ level: 'error' }) },
    );
    try {
      const sample = Array.from({ length: 500 }, (_, i) => ids[(i * 7919) % ids.length]!);
      const year = '2024';
      const get = (i: number) =>
        client.send(
          new GetItemCommand({
            TableName: TABLE,
            Key: toItem({ ...determinationKey(sample[i % sample.length]!) }),
          }),
        );
      const itemsQuery = (decision: string) =>
        client.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :d)',
            ExpressionAttributeValues: toItem({
              ':pk': indexPartition('category', 'Pharmaceuticals', year),
              ':d': `${decision}#`,
            }),
            ScanIndexForward: false,
            Limit: 21,
          }),
        );
      const shardQuery = (shard: number) =>
        client.send(
          new QueryCommand({
            TableName: TABLE,
            KeyConditionExpression: 'PK = :pk AND begins_with(SK, :a)',
            ExpressionAttributeValues: toItem({
              ':pk': statsPartition('category', shard),
              ':a': STATS_ALL_TIME_PREFIX,
            }),
          }),
        );
      // Per endpoint: the single raw call the issue compares against, and the same store calls
      // the endpoint itself makes, made directly (what the API adds on top of its reads).
      const endpoints: {
        name: string;
        paths: string[];
        raw: (i: number) => Promise<unknown>;
        same: (i: number) => Promise<unknown>;
      }[] = [
        {
          name: 'GET /api/determinations/{caseNumber}',
          paths: sample.map((id) => `/api/determinations/${id}`),
          raw: get,
          same: get,
        },
        {
          name: 'GET /api/items?category=Pharmaceuticals',
          paths: ['/api/items?category=Pharmaceuticals&limit=20'],
          raw: () => itemsQuery('overturned'),
          same: () =>
            Promise.all([
              itemsQuery('overturned'),
              itemsQuery('upheld'),
              readTallies(table, [{ dimension: 'category', value: 'Pharmaceuticals' }]),
            ]),
        },
        {
          name: 'GET /api/stats?by=category',
          paths: ['/api/stats?by=category'],
          raw: () => shardQuery(0),
          same: () => Promise.all(Array.from({ length: STATS_SHARDS }, (_, s) => shardQuery(s))),
        },
      ];
      // Warm both paths (JIT, connections, the API's cached list of years).
      await httpLoad(
        server.url,
        endpoints.flatMap((e) => e.paths.slice(0, 20)),
      );
      for (const e of endpoints) {
        log(`  ${e.name}: API, raw call, same calls: ${SECONDS} s each`);
        const api = await httpLoad(server.url, e.paths);
        const raw = await rawLoad(e.raw);
        const same = await rawLoad(e.same);
        rows.push({ letters, endpoint: e.name, api, raw, same });
      }
    } finally {
      await server.close();
    }
  } finally {
    client.destroy();
    await db.stop();
  }
}

const ms = (n: number) => `${n.toFixed(1)} ms`;
const line = (cells: string[]) =>
  cells.map((c, i) => (i === 1 ? c.padEnd(40) : c.padStart(10))).join(' ');
console.log(`\nbench:api (${CONNECTIONS} connections, ${SECONDS} s each, 2-core machine)\n`);
console.log(
  line([
    'letters',
    'endpoint',
    'API p50',
    'API p99',
    'API req/s',
    'raw p50',
    'raw p99',
    'raw req/s',
    '÷ raw',
    'same p99',
    '÷ same',
    'errors',
  ]),
);
for (const r of rows) {
  console.log(
    line([
      String(r.letters),
      r.endpoint,
      ms(r.api.p50),
      ms(r.api.p99),
      r.api.perSecond.toFixed(0),
      ms(r.raw.p50),
      ms(r.raw.p99),
      r.raw.perSecond.toFixed(0),
      `${(r.api.p99 / r.raw.p99).toFixed(2)}x`,
      ms(r.same.p99),
      `${(r.api.p99 / r.same.p99).toFixed(2)}x`,
      String(r.api.errors + r.raw.errors + r.same.errors),
    ]),
  );
}
const stats = rows.filter((r) => r.endpoint.includes('/api/stats'));
if (stats.length === 2) {
  const [small, large] = stats as [Row, Row];
  console.log(
    `\nstats p99 at ${large.letters} letters / at ${small.letters}: ${ms(large.api.p99)} / ${ms(small.api.p99)} = ${(large.api.p99 / small.api.p99).toFixed(2)} (target within 20%)`,
  );
}
console.log(
  [
    'API p99 ÷ raw: against one GetItem/Query (target < 3x); ÷ same: against the same store calls',
    'the endpoint makes, made directly (items: 2 Queries + 1 BatchGetItem; stats: 4 shard Queries).',
    'autocannon reports whole milliseconds.',
  ].join('\n'),
);
