import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateLetter, MAX_INDEX, type LetterFormat } from '../synthetic/generate.ts';
import { CommandFailure, defineCommand, messageOf, UsageError, type Io } from './command.ts';

export const GENERATE_HELP = `Usage: imr generate N --out DIR [--format text|pdf] [--seed S] [--start I] [--mailed]

Writes N made-up IMR final determination letters into DIR (created when missing), one file per
letter named after its case number (CM16-9000001.txt). Every letter opens with a "SYNTHETIC
LETTER" notice and parses to a record flagged "synthetic".
  --out DIR          where to write the files (required)
  --format text|pdf  plain text as a PDF-to-text tool leaves it, or PDF (default text)
  --seed S           which series of letters, 0 to 4294967295 (default 1)
  --start I          index of the first letter (default 1); the same seed and index always give
                     the same letter, and case numbers are CMyy-(9000000 + index), so batches with
                     different index ranges never share a case number
  --mailed           each letter as mailed to the parties: a cover page naming invented people,
                     who are named again in the case summary (none of it reaches the record)
Exit status: 0 when every file was written, 1 when writing failed, 2 on a usage error.
`;

interface Options {
  count: number;
  out: string;
  format: LetterFormat;
  seed: number;
  start: number;
  mailed: boolean;
}

const VALUE_OPTIONS = ['--out', '--format', '--seed', '--start'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];
const isValueOption = (s: string): s is ValueOption =>
  (VALUE_OPTIONS as readonly string[]).includes(s);

function integer(text: string, what: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`${what} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

// Its own reader, older than the other commands': "--out=DIR" and "--out DIR" alike, and its
// own messages for a missing or repeated value.
function readArgs(args: readonly string[]): Options {
  const values = new Map<ValueOption, string>();
  const positional: string[] = [];
  let mailed = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--mailed') {
      mailed = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (isValueOption(name)) {
      const value = name === arg ? args[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
      if (values.has(name)) throw new UsageError(`${name} given twice`);
      values.set(name, value);
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length === 0) throw new UsageError('how many letters? (N is missing)');
  if (positional.length > 1)
    throw new UsageError(`one count expected, got ${positional.join(' ')}`);
  const count = integer(positional[0]!, 'N (the number of letters)', 1, MAX_INDEX);
  const out = values.get('--out');
  if (out === undefined) throw new UsageError('--out DIR is required');
  const format = values.get('--format') ?? 'text';
  if (format !== 'text' && format !== 'pdf') {
    throw new UsageError(`--format must be text or pdf, got "${format}"`);
  }
  const seed = integer(values.get('--seed') ?? '1', '--seed', 0, 0xffffffff);
  const start = integer(values.get('--start') ?? '1', '--start', 0, MAX_INDEX);
  if (start + count - 1 > MAX_INDEX) {
    throw new UsageError(
      `--start ${start} with N ${count} runs past index ${MAX_INDEX}, the last synthetic case number`,
    );
  }
  return { count, out, format, seed, start, mailed };
}

/** `imr generate`: writes synthetic letters, progress on stderr when it is a terminal, a summary on stdout. */
export const generateCommand = defineCommand({
  program: 'imr generate',
  usage: GENERATE_HELP,
  read: readArgs,
  run: (options, { io }) => generate(options, io),
});

async function generate(options: Options, io: Io): Promise<number> {
  const { count, out, format, seed, start, mailed } = options;
  const progress = io.stderr.isTTY === true;
  const started = Date.now();
  let items = 0;
  let upheld = 0;
  let lastProgress = 0;
  try {
    await mkdir(out, { recursive: true });
    for (let k = 0; k < count; k++) {
      const { fileName, bytes, spec } = generateLetter(start + k, seed, format, { mailed });
      await writeFile(join(out, fileName), bytes);
      items += spec.items.length;
      upheld += spec.items.filter((i) => i.decision === 'Upheld').length;
      if (progress && (Date.now() - lastProgress > 100 || k === count - 1)) {
        lastProgress = Date.now();
        io.stderr.write(`\rgenerated ${k + 1}/${count}`);
      }
    }
  } catch (e) {
    if (progress) io.stderr.write('\n');
    throw new CommandFailure(`could not write to ${out}: ${messageOf(e)}`, { cause: e });
  }
  if (progress) io.stderr.write('\n');
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const rate = ((100 * upheld) / items).toFixed(1);
  io.stdout.write(
    `wrote ${count} synthetic ${mailed ? 'mailed ' : ''}${format} letters to ${out} (indexes ${start}-${start + count - 1}, ` +
      `seed ${seed}): ${items} items, ${rate}% upheld, in ${secs} s\n`,
  );
  return 0;
}
