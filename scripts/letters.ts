// npm run letters -- --from DIR: copies the real letters the tests read from DIR into the ignored
// cache (.letters/), each checked against test/letters/manifest.json by size and sha256.
// DIR is either laid out as corpus/pdf/*.pdf and seeds/*.txt or holds the files anywhere below it.
// With --write-manifest, writes the manifest from DIR (corpus/pdf and seeds) instead.
// See docs/TESTING.md.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { CommandFailure, defineCommand, UsageError, type Io, runAsScript } from '../cli/command.ts';
import {
  cachePath,
  fileName,
  LETTERS_CACHE,
  MANIFEST_PATH,
  manifestSchema,
  readManifest,
  sha256,
  type Letter,
} from '../test/letters/manifest.ts';

const USAGE = `usage: npm run letters -- --from DIR [--if-present] [--write-manifest]
  --from DIR          a folder holding the letters (corpus/pdf and seeds, or any layout)
  --if-present        do nothing, successfully, when DIR does not exist
  --write-manifest    write test/letters/manifest.json from DIR's corpus/pdf and seeds
`;

const lettersCommand = defineCommand({
  program: 'letters',
  usage: USAGE,
  helpOption: true,
  options: {
    from: { type: 'string' },
    'if-present': { type: 'boolean', default: false },
    'write-manifest': { type: 'boolean', default: false },
  },
  check: ({ values }) => {
    if (values.from === undefined) throw new UsageError('--from DIR is required');
    return { ...values, from: values.from };
  },
  run: (options, { io }) => Promise.resolve(letters(options, io)),
});

interface Options {
  from: string;
  'if-present': boolean;
  'write-manifest': boolean;
}

/** Places the letters (or writes the manifest); the exit status. */
function letters(options: Options, io: Io): number {
  const from = resolve(options.from);
  const shown = relative(process.cwd(), from) || '.';
  const log = (line: string): void => void io.stdout.write(`letters: ${line}\n`);

  if (!existsSync(from) || !statSync(from).isDirectory()) {
    if (options['if-present']) {
      log(`${shown} is not there; the cache is left as it is`);
      return 0;
    }
    throw new UsageError(`${shown} is not a folder`);
  }
  if (options['write-manifest']) return writeManifest(from, shown, log);
  return placeLetters(from, shown, log);
}

type Log = (line: string) => void;

/** Writes the manifest from DIR's corpus/pdf and seeds. */
function writeManifest(from: string, shown: string, log: Log): number {
  const list = (dir: string, ext: string): string[] =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(ext))
          .sort()
      : [];
  const pdfs = list(join(from, 'corpus/pdf'), '.pdf');
  const seeds = list(join(from, 'seeds'), '.txt');
  if (pdfs.length + seeds.length === 0) {
    throw new UsageError(`${shown} has no corpus/pdf/*.pdf nor seeds/*.txt`);
  }
  const entry = (kind: Letter['kind'], path: string, name: string) => {
    const bytes = readFileSync(path);
    return { name, kind, sha256: sha256(bytes), bytes: bytes.length };
  };
  const manifest = manifestSchema.parse({
    letters: [
      ...pdfs.map((f) => entry('pdf', join(from, 'corpus/pdf', f), basename(f, '.pdf'))),
      ...seeds.map((f) => entry('seed', join(from, 'seeds', f), f)),
    ],
  });
  writeFileSync(MANIFEST_PATH, `${JSON.stringify(manifest, null, 2)}\n`);
  log(
    `wrote ${relative(process.cwd(), MANIFEST_PATH)}: ${pdfs.length} PDFs, ${seeds.length} seeds`,
  );
  return 0;
}

// Names skipped while looking for the letters below DIR.
const SKIP_DIRS = new Set(['node_modules', '.git', '.letters']);

/**
 * Every file below DIR by its name; a name found twice is tried in both places. Symbolic links
 * are followed (a folder once, by its real path, so a loop ends); a dangling one is passed over.
 */
function filesByName(from: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walked = new Set<string>();
  const walk = (dir: string): void => {
    const real = realpathSync(dir);
    if (walked.has(real)) return;
    walked.add(real);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      const target = e.isSymbolicLink() ? statSync(path, { throwIfNoEntry: false }) : e;
      if (target === undefined) continue;
      if (target.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(path);
      } else if (target.isFile()) {
        found.set(e.name, [...(found.get(e.name) ?? []), path]);
      }
    }
  };
  walk(from);
  return found;
}

/** The file's bytes when it has the letter's size and hash, else its size and hash. */
const verify = (path: string, l: Letter): Buffer | { bytes: number; sha256: string } => {
  const bytes = readFileSync(path);
  const hash = sha256(bytes);
  return bytes.length === l.bytes && hash === l.sha256
    ? bytes
    : { bytes: bytes.length, sha256: hash };
};

/** `verify` of a cached copy; a copy another run removed meanwhile is a mismatch. */
const verifyCached = (path: string, l: Letter): ReturnType<typeof verify> => {
  try {
    return verify(path, l);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { bytes: 0, sha256: '' };
    throw error;
  }
};

/** Copies every letter of the manifest found below DIR, verified, into the cache. */
function placeLetters(from: string, shown: string, log: Log): number {
  const found = filesByName(from);
  const letters = readManifest();
  let placed = 0;
  let already = 0;
  const missing: string[] = [];
  const mismatched: string[] = [];
  log(
    `checking ${letters.length} letters from ${shown} into ${relative(process.cwd(), LETTERS_CACHE)}`,
  );
  for (const [i, l] of letters.entries()) {
    const dest = cachePath(l);
    if (existsSync(dest)) {
      if (Buffer.isBuffer(verifyCached(dest, l))) {
        already++;
        continue;
      }
      // A cached copy that no longer matches is never read: the tests count it as missing.
      // (Another run at the same time may have removed or replaced it already.)
      rmSync(dest, { force: true });
    }
    const candidates = found.get(fileName(l)) ?? [];
    if (candidates.length === 0) {
      missing.push(l.name);
      continue;
    }
    const checks = candidates.map((path) => ({ path, result: verify(path, l) }));
    const good = checks.find((c) => Buffer.isBuffer(c.result));
    if (good === undefined || !Buffer.isBuffer(good.result)) {
      for (const { path, result } of checks) {
        if (Buffer.isBuffer(result)) continue;
        mismatched.push(
          `${l.name}: ${relative(process.cwd(), path)} has ${result.bytes} bytes, sha256 ${result.sha256}; ` +
            `the manifest expects ${l.bytes} bytes, sha256 ${l.sha256}`,
        );
      }
      continue;
    }
    // Written under a temporary name of this run's own and renamed, so an interrupted copy never
    // looks cached and runs at the same time each rename a whole copy of their own.
    mkdirSync(dirname(dest), { recursive: true });
    const partial = `${dest}.${process.pid}.partial`;
    writeFileSync(partial, good.result);
    renameSync(partial, dest);
    placed++;
    if (placed % 25 === 0) log(`placed ${placed} (${i + 1}/${letters.length} checked)`);
  }

  log(
    `placed ${placed}, already there ${already}, missing ${missing.length}, mismatched ${mismatched.length}`,
  );
  if (missing.length > 0) {
    log(`missing from ${shown}: ${missing.join(', ')}`);
    log('the tests that read them do not run (and fail with CI=true) until they are placed');
  }
  if (mismatched.length > 0) {
    for (const m of mismatched) log(`MISMATCH ${m}`);
    throw new CommandFailure(
      'mismatched files were not copied: get the letters the manifest names, unchanged',
    );
  }
  return 0;
}

runAsScript(lettersCommand, 'letters');
