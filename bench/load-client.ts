import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { z } from 'zod';

// The contract between the benchmarks and their load generator (bench/load.ts), which runs as
// its own process so that generating load does not share the server's event loop.

export const loadJobSchema = z.object({
  base: z.url(),
  paths: z.array(z.string()).min(1),
  seconds: z.number().positive(),
  connections: z.number().int().positive(),
  /** Requests per second in all (a fixed offered load); without it, as fast as they answer. */
  rate: z.number().positive().optional(),
});
export type LoadJob = z.infer<typeof loadJobSchema>;

/** Latencies in ms; errors include timeouts. */
export const loadResultSchema = z.object({
  requests: z.number(),
  perSecond: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  max: z.number(),
  errors: z.number(),
  non2xx: z.number(),
});
export type LoadResult = z.infer<typeof loadResultSchema>;

/** Runs one load generator process and returns its figures. */
export function spawnLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', resolve(import.meta.dirname, 'load.ts'), JSON.stringify(job)],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => (error ? fail(error) : done(loadResultSchema.parse(JSON.parse(stdout)))),
    );
  });
}
