// A load generator for bench:api and bench:load, run as its own process (bench/load-client.ts)
// so that generating load does not share the server's event loop. Reads its job as JSON from
// argv, prints autocannon's figures as JSON. With `rate`, requests are sent at that many per second in all (a fixed
// offered load) instead of as fast as the connections allow.
import autocannon from 'autocannon';
import { loadJobSchema, type LoadResult } from './load-client.ts';

const job = loadJobSchema.parse(JSON.parse(process.argv[2] ?? '{}'));

const result = await autocannon({
  url: job.base,
  connections: job.connections,
  duration: job.seconds,
  ...(job.rate === undefined ? {} : { overallRate: job.rate }),
  // Each connection walks the list, so the requests spread over many keys, not one cached item.
  requests: job.paths.map((path) => ({ method: 'GET', path })),
});
const figures: LoadResult = {
  requests: result.requests.total,
  perSecond: result.requests.average,
  p50: result.latency.p50,
  p90: result.latency.p90,
  p99: result.latency.p99,
  max: result.latency.max,
  errors: result.errors + result.timeouts,
  non2xx: result.non2xx,
};
process.stdout.write(JSON.stringify(figures) + '\n');
