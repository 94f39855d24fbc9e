import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

// `<data-dir>/stack.json`: where a running local stack listens, written by `npm start` and read
// by `imr upload`/`receipts`/`export`, the next `npm start` on the same data dir, the chaos
// scenarios and the benchmarks. Kept apart from stack.ts so that the CLI can read it without
// loading the servers.

/** Where a running stack records its endpoints, for `imr upload` and other tools. */
export const STACK_FILE = 'stack.json';

export const stackFileSchema = z.object({
  /** The Node process running the stack. */
  pid: z.number().int(),
  dynamodbEndpoint: z.url(),
  /** DynamoDB Local's JVM, which outlives a killed Node process (absent before it was recorded). */
  dynamodbPid: z.number().int().optional(),
  s3Endpoint: z.url(),
  tableName: z.string(),
  bucket: z.string(),
  /** Absent from stacks started before exports existed. */
  exportsBucket: z.string().optional(),
});
export type StackFile = z.infer<typeof stackFileSchema>;

export async function writeStackFile(dataDir: string, file: StackFile): Promise<void> {
  await writeFile(join(dataDir, STACK_FILE), JSON.stringify(file, null, 2) + '\n');
}

/**
 * The stack file in `dataDir`, or null when there is none, or it is not one: a file cut short by
 * a crash while being written is no stack.
 */
export async function readStackFile(dataDir: string): Promise<StackFile | null> {
  const text = await readFile(join(dataDir, STACK_FILE), 'utf8').catch(() => null);
  if (text === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = stackFileSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** Whether a process with this id exists (a signal-0 probe). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
