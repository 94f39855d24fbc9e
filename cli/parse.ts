import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LetterFormatError } from '../shared/errors.ts';
import { PARSE_LIMITS, type OcrProgress, parseLetterSandboxed } from '../shared/parser/index.ts';
import { defineCommand, UsageError, type Io } from './command.ts';

export const PARSE_HELP = `Usage: imr parse FILE|DIR...

Parses each IMR final determination letter (PDF or UTF-8 text) and prints one JSON line per
input, in input order: the Determination, or {"source": ..., "reason": ..., "error": ...}.
Each letter is parsed in a sandbox, within ${PARSE_LIMITS.pages} pages, ${PARSE_LIMITS.wallMs / 1000} s and ${PARSE_LIMITS.growthMb} MB;
a scan (a PDF of page images) is read by OCR, within ${PARSE_LIMITS.scan.pages} pages, ${PARSE_LIMITS.scan.wallMs / 1000} s and ${PARSE_LIMITS.scan.growthMb} MB;
beyond a limit it fails with reason "too-complex" and the other files go on.
A directory stands for the .pdf and .txt files directly inside it, sorted by name.
Exit status: 0 when every input parsed, 1 when any failed, 2 on a usage error.
`;

// A few files in flight keep the disk busy while one parses, and bound memory to a few letters
// however many paths are given.
const IN_FLIGHT = 4;
const LETTER_FILE = /\.(?:pdf|txt)$/i;

async function expand(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => null);
    if (s?.isDirectory()) {
      const names = (await readdir(p)).filter((n) => LETTER_FILE.test(n)).sort();
      out.push(...names.map((n) => join(p, n)));
    } else {
      out.push(p); // A missing file is reported in its place in the output.
    }
  }
  return out;
}

type Outcome = { ok: true; line: string } | { ok: false; line: string };

async function parseOne(
  path: string,
  onProgress: (path: string, p: OcrProgress) => void,
): Promise<Outcome> {
  try {
    const bytes = await readFile(path);
    const determination = await parseLetterSandboxed(
      new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      path,
      { onProgress: (p) => onProgress(path, p) },
    );
    return { ok: true, line: JSON.stringify(determination) };
  } catch (e) {
    const error =
      e instanceof LetterFormatError
        ? e.message
        : e instanceof Error && 'code' in e && e.code === 'ENOENT'
          ? `${path}: no such file`
          : e instanceof Error && 'code' in e && e.code === 'EISDIR'
            ? `${path}: is a directory`
            : `${path}: ${e instanceof Error ? e.message : String(e)}`;
    const reason = e instanceof LetterFormatError ? { reason: e.reason } : {};
    return { ok: false, line: JSON.stringify({ source: path, ...reason, error }) };
  }
}

/** `imr parse`: one JSON line per input on stdout, progress on stderr when it is a terminal. */
export const parseCommand = defineCommand({
  program: 'imr parse',
  usage: PARSE_HELP,
  // Every argument is a path: "-" and "--" too are refused rather than read as stdin or an end
  // of options.
  read(args) {
    const unknown = args.find((a) => a.startsWith('-'));
    if (unknown !== undefined) throw new UsageError(`unknown option ${unknown}`);
    if (args.length === 0) throw new UsageError('no files given');
    return args;
  },
  run: (paths, { io }) => parseAll(paths, io),
});

async function parseAll(args: readonly string[], io: Io): Promise<number> {
  const files = await expand(args);
  const progress = io.stderr.isTTY === true;
  let failed = 0;
  let done = 0;
  const started = Date.now();
  const pending: Promise<Outcome>[] = [];
  let next = 0;
  // Scans take seconds a page (OCR), not milliseconds: the line says which page is being read.
  let scanning = '';
  let lineWidth = 0;
  const showProgress = (): void => {
    const line =
      `parsed ${done}/${files.length}${failed > 0 ? `, ${failed} failed` : ''}` + scanning;
    io.stderr.write(`\r${line.padEnd(lineWidth)}`);
    lineWidth = line.length;
  };
  const onScanPage = (path: string, p: OcrProgress): void => {
    scanning = p.page < p.pages ? `; OCR of ${path}: page ${p.page + 1}/${p.pages}` : '';
    if (progress) showProgress();
  };
  const launch = (): void => {
    if (next < files.length) pending.push(parseOne(files[next++]!, onScanPage));
  };
  for (let i = 0; i < IN_FLIGHT; i++) launch();
  while (pending.length > 0) {
    const outcome = await pending.shift()!;
    launch();
    if (!outcome.ok) failed++;
    done++;
    if (!io.stdout.write(outcome.line + '\n')) {
      await new Promise((resolve) => io.stdout.once('drain', resolve));
    }
    if (progress) showProgress();
  }
  if (progress) {
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    const line = `parsed ${done}/${files.length}, ${failed} failed, in ${secs} s`;
    io.stderr.write(`\r${line.padEnd(lineWidth)}\n`);
  }
  return failed === 0 ? 0 : 1;
}
