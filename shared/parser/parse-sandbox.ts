import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { Determination } from '../record/index.ts';
import { LetterFormatError } from '../errors.ts';
import {
  forScan,
  PARSE_LIMITS,
  tooComplex,
  type LimitExceeded,
  type ParseLimits,
} from './limits.ts';
import type { OcrProgress } from './ocr.ts';
import { replySchema, type Job } from './sandbox-protocol.ts';

// Letters from outside are parsed in one reused worker thread under limits (limits.ts), and a
// scan by OCR under the scan's own: docs/RELIABILITY.md, "Hostile letters: the parse sandbox".

// Run from source (tsx, vitest) the worker is TypeScript and needs tsx's loader; bundled
// (cdk/bundling/esbuild.ts) it is parse-worker.mjs, next to the function's index.mjs.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(
  FROM_SOURCE ? './parse-worker.ts' : './parse-worker.mjs',
  import.meta.url,
);
const MEMORY_POLL_MS = 25;

function newWorker(url: URL, options: WorkerOptions): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  // tsx's loader given as `--import` reaches a worker too late for its entry file; registered
  // by a bootstrap first, it loads the entry and everything it imports.
  // Resolved for `require` (import.meta.resolve is not in vitest), then its ESM sibling.
  const cjs = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api'));
  const tsx = new URL('./index.mjs', cjs).href;
  const bootstrap =
    `import(${JSON.stringify(tsx)}).then((m) => { m.register(); ` +
    `return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

interface Pending {
  job: Job;
  onProgress: ((p: OcrProgress) => void) | undefined;
  resolve(d: Determination): void;
  reject(e: Error): void;
}

/** The letter being parsed: when its worker took it, the limits it is held to, their timers. */
interface Current {
  pending: Pending;
  started: number;
  baseline: number;
  limits: ParseLimits;
  scan: boolean;
  timers: NodeJS.Timeout[];
}

/** What a caller of the sandbox hears while a letter is parsed. */
export interface SandboxOptions {
  /** OCR's progress on a scan. */
  onProgress?: (progress: OcrProgress) => void;
}

/** A worker thread that parses letters one at a time under `limits`. */
export class ParseSandbox {
  readonly limits: ParseLimits;
  readonly #workerUrl: URL;
  #worker: Worker | null = null;
  #ready = false;
  #queue: Pending[] = [];
  #current: Current | null = null;
  #nextId = 0;

  /** `workerUrl` is for tests: the worker entry to start instead of parse-worker's. */
  constructor(limits: ParseLimits = PARSE_LIMITS, workerUrl: URL = WORKER_URL) {
    this.limits = limits;
    this.#workerUrl = workerUrl;
  }

  /** The letter as a Determination; rejects with LetterFormatError (`too-complex` beyond a limit). */
  parse(bytes: Uint8Array, fileName: string, options: SandboxOptions = {}): Promise<Determination> {
    return new Promise((resolve, reject) => {
      const job = { id: this.#nextId++, bytes, fileName, limits: this.limits };
      this.#queue.push({ job, onProgress: options.onProgress, resolve, reject });
      this.#pump();
    });
  }

  /** Ends the worker; letters still waiting are rejected. */
  async close(): Promise<void> {
    const worker = this.#worker;
    const waiting = [...(this.#current ? [this.#current.pending] : []), ...this.#queue];
    this.#queue = [];
    this.#finish();
    this.#worker = null;
    for (const p of waiting) p.reject(new Error('the parse sandbox was closed'));
    await worker?.terminate();
  }

  #pump(): void {
    if (this.#current !== null) return;
    const next = this.#queue[0];
    if (next === undefined) {
      // Idle: the worker keeps no process alive (the CLI exits when its work is done). A new
      // one is started only for a letter, so a worker that cannot start is not restarted in a
      // loop: each failed start fails the letter it was for.
      this.#worker?.unref();
      return;
    }
    const worker = this.#worker ?? this.#start();
    if (!this.#ready) return;
    this.#queue.shift();
    worker.ref();
    const current: Current = {
      pending: next,
      started: Date.now(),
      baseline: process.memoryUsage.rss(),
      limits: this.limits,
      scan: false,
      timers: [],
    };
    this.#current = current;
    this.#watch(current);
    // A copy is sent (not transferred): the caller keeps its bytes.
    worker.postMessage(next.job);
  }

  /** Holds the current letter to `current.limits`: a deadline and a watch on memory growth. */
  #watch(current: Current): void {
    for (const t of current.timers) clearTimeout(t);
    const { limits, scan } = current;
    const deadline = setTimeout(
      () => this.#exceeded({ limit: 'wallMs', scan }),
      Math.max(0, current.started + limits.wallMs - Date.now()),
    );
    const watch = setInterval(() => {
      if (process.memoryUsage.rss() - current.baseline > limits.growthMb * 1024 * 1024) {
        this.#exceeded({ limit: 'growthMb', scan });
      }
    }, MEMORY_POLL_MS);
    current.timers = [deadline, watch];
  }

  #start(): Worker {
    const worker = newWorker(this.#workerUrl, {
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb },
    });
    this.#worker = worker;
    this.#ready = false;
    worker.on('message', (message: unknown) => {
      if (worker !== this.#worker) return;
      const reply = replySchema.parse(message);
      if (reply.kind === 'ready') {
        this.#ready = true;
        this.#pump();
        return;
      }
      const current = this.#current;
      const pending = current?.pending;
      if (current === null || pending?.job.id !== reply.id) return;
      if (reply.kind === 'scan') {
        current.limits = forScan(this.limits);
        current.scan = true;
        this.#watch(current);
        return;
      }
      if (reply.kind === 'progress') {
        pending.onProgress?.({ page: reply.page, pages: reply.pages });
        return;
      }
      this.#finish();
      if (reply.kind === 'parsed') pending.resolve(reply.determination);
      else if (reply.kind === 'rejected')
        pending.reject(new LetterFormatError(reply.reason, reply.message));
      else pending.reject(new Error(`parse worker: ${reply.message}`));
      this.#pump();
    });
    worker.on('error', (error) => this.#died(worker, error));
    worker.on('exit', (code) => this.#died(worker, new Error(`parse worker exited (${code})`)));
    return worker;
  }

  /** The worker died on its own: out of heap (too-complex), or a bug. */
  #died(worker: Worker, error: Error): void {
    if (worker !== this.#worker) return;
    this.#worker = null;
    const current = this.#current;
    const pending = current?.pending ?? this.#queue.shift();
    this.#finish();
    if (pending !== undefined) {
      const outOfMemory = 'code' in error && error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      pending.reject(
        outOfMemory
          ? tooComplex(
              pending.job.fileName,
              { limit: 'heapMb', scan: current?.scan ?? false },
              current?.limits ?? this.limits,
            )
          : new Error(`parse worker: ${error.message}`),
      );
    }
    this.#pump();
  }

  /** The current letter went beyond a limit: it fails, and its worker is ended. */
  #exceeded(exceeded: LimitExceeded): void {
    const current = this.#current;
    const worker = this.#worker;
    if (current === null || worker === null) return;
    this.#worker = null;
    this.#finish();
    void worker.terminate();
    current.pending.reject(tooComplex(current.pending.job.fileName, exceeded, current.limits));
    this.#pump();
  }

  #finish(): void {
    for (const t of this.#current?.timers ?? []) clearTimeout(t);
    this.#current = null;
  }
}

let shared: ParseSandbox | undefined;

/**
 * Parses a letter from outside (an upload, a file given to `imr parse`) in the shared sandbox,
 * scans by OCR: a Determination, or LetterFormatError (`too-complex` beyond PARSE_LIMITS).
 */
export function parseLetterSandboxed(
  bytes: Uint8Array,
  fileName: string,
  options: SandboxOptions = {},
): Promise<Determination> {
  shared ??= new ParseSandbox();
  return shared.parse(bytes, fileName, options);
}
