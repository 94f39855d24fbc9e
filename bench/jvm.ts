// Finding and measuring the DynamoDB Local JVM a benchmark started (by its port), read-only from
// /proc (Linux). The benchmarks cap its heap through JAVA_TOOL_OPTIONS, which java reads itself.
import { readdirSync, readFileSync } from 'node:fs';

/** The environment that starts DynamoDB Local with a capped heap (e.g. "2g"). */
export function cappedJvmEnv(heap: string): NodeJS.ProcessEnv {
  return { ...process.env, JAVA_TOOL_OPTIONS: `-Xmx${heap}` };
}

/** The pid of the DynamoDB Local listening on `port`, or null (not Linux, or not found). */
export function dynamoDbLocalPid(port: number): number | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return null;
  }
  for (const pid of pids) {
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf('-port');
      if (args.some((a) => a.endsWith('DynamoDBLocal.jar')) && args[at + 1] === String(port)) {
        return Number(pid);
      }
    } catch {
      // The process ended while being read.
    }
  }
  return null;
}

/** Resident memory of a process in bytes (0 when unknown). */
export function rssBytes(pid: number | null): number {
  if (pid === null) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? 0 : Number(m[1]) * 1024;
  } catch {
    return 0;
  }
}
