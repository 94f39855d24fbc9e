import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

// How every Lambda entry in functions/ is bundled. Run in its own process by the function
// construct (cdk/constructs/function.ts): esbuild plugins need its asynchronous API, and CDK's
// local bundling hook is synchronous.

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The bundle file in each function's asset; the handler is `index.handler`. */
export const BUNDLE_FILE = 'index.mjs';

/**
 * Worker threads an entry starts, each bundled as its own file next to index.mjs (a worker needs
 * an entry file of its own): the ingest's parse sandbox (shared/parser/parse-sandbox.ts) starts
 * parse-worker.mjs.
 */
export const WORKER_ENTRIES: Readonly<Record<string, readonly string[]>> = {
  's3-ingest-letter': ['shared/parser/parse-worker.ts'],
};

/** Largest bundle allowed per entry, in bytes (decimal: 1 MB = 1,000,000 bytes). */
export function bundleLimit(entry: string): number {
  if (entry.startsWith('api-')) return 500_000;
  // index.mjs and parse-worker.mjs together; unpdf's pdf.js (in the worker) is most of it.
  if (entry === 's3-ingest-letter') return 2_200_000;
  return 1_000_000;
}

// zod 4's `z` and `core` namespaces re-export every locale (`export * as locales`), and a namespace used as
// a value cannot be tree-shaken: half of an API bundle would be translations of error messages
// nobody reads. Only English is kept; zod's default error map imports en.js directly, so messages
// (those ConfigError quotes included) are unchanged.
export const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic|core)$/.test(args.resolveDir)
        ? { path: join(args.resolveDir, '../locales/index.js'), namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

// Code reaches a folder of shared/ through its index.ts, which names many modules. package.json
// declares the project's modules outside web/ free of side effects (`sideEffects`), so esbuild
// bundles only the modules whose exports an entry uses; without it every bundle grows (the
// ingest's past its limit below).
/** esbuild options for one entry (`functions/<entry>.ts`) written to `outdir`. */
export function bundleOptions(entry: string, outdir: string): BuildOptions {
  return {
    entryPoints: [
      { in: join(PROJECT_ROOT, 'functions', `${entry}.ts`), out: basename(BUNDLE_FILE, '.mjs') },
      ...(WORKER_ENTRIES[entry] ?? []).map((w) => ({
        in: join(PROJECT_ROOT, w),
        out: basename(w, '.ts'),
      })),
    ],
    outdir,
    outExtension: { '.js': '.mjs' },
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Local Node is 20; the Lambda runtime 22 runs whatever 20 does.
    target: 'node20',
    minify: true,
    sourcemap: true,
    // Maps name files and lines; the sources themselves would only make the asset bigger.
    sourcesContent: false,
    // The nodejs22.x runtime provides SDK v3. The OCR engines are loaded from files beside the
    // bundle (OCR_RUNTIME_FILES), not bundled: they are WebAssembly and a model, not JavaScript.
    external: ['@aws-sdk/*', ...OCR_PACKAGES],
    // Some dependencies still call require(); an ES module has none unless it is made.
    banner: {
      js: "import { createRequire as __imrCreateRequire } from 'node:module'; const require = __imrCreateRequire(import.meta.url);",
    },
    metafile: true,
    logLevel: 'warning',
    plugins: [zodEnglishOnly],
  };
}

/** The packages OCR loads at run time (shared/parser/ocr.ts), kept out of the bundle. */
export const OCR_PACKAGES = ['mupdf', 'tesseract.js-core', '@tesseract.js-data/eng'];

/**
 * What OCR reads at run time, copied to `node_modules/` beside the bundle so that its import
 * and require calls resolve there as they do in the project: MuPDF's module and WebAssembly,
 * Tesseract's SIMD LSTM build and the English model (about 16 MB, 9 MB zipped).
 */
export const OCR_RUNTIME_FILES = [
  'mupdf/package.json',
  'mupdf/dist/mupdf.js',
  'mupdf/dist/mupdf-wasm.js',
  'mupdf/dist/mupdf-wasm.wasm',
  'tesseract.js-core/package.json',
  'tesseract.js-core/tesseract-core-simd-lstm.js',
  'tesseract.js-core/tesseract-core-simd-lstm.wasm',
  '@tesseract.js-data/eng/package.json',
  '@tesseract.js-data/eng/4.0.0_best_int/eng.traineddata.gz',
];

const OCR_MODULE = 'shared/parser/ocr.ts';

/** Bundles one entry into `outdir`, with the OCR engines' files when the entry parses letters. */
export async function bundle(entry: string, outdir: string): Promise<void> {
  const result = await build(bundleOptions(entry, outdir));
  // The outputs, not the inputs: an entry can reach ocr.ts through a folder's index.ts and still
  // leave it out of its bundle (package.json's sideEffects), and then never runs OCR.
  const outputs = Object.values(result.metafile?.outputs ?? {});
  if (!outputs.some((o) => o.inputs[OCR_MODULE] !== undefined)) return;
  for (const file of OCR_RUNTIME_FILES) {
    const to = join(outdir, 'node_modules', file);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(PROJECT_ROOT, 'node_modules', file), to);
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry, outdir] = process.argv.slice(2);
  if (entry === undefined || outdir === undefined) {
    console.error('usage: esbuild.ts <entry> <outdir>');
    process.exit(2);
  }
  await bundle(entry, outdir);
}
