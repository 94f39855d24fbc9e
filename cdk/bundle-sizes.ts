import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { basename } from 'node:path';
import { BUNDLE_FILE, bundleLimit, WORKER_ENTRIES } from './bundling/esbuild.ts';
import { DESCRIPTION_PREFIX } from './constructs/function.ts';

// The size of every project function's bundle in a synthesised cloud assembly, against its limit.

export interface BundleSize {
  stack: string;
  entry: string;
  bytes: number;
  limit: number;
}

interface TemplateResource {
  Type: string;
  Properties?: { Description?: unknown };
  Metadata?: Record<string, unknown>;
}

/** Every project function's bundle in the assembly at `outdir`, one per function. */
export function bundleSizes(outdir: string): BundleSize[] {
  const sizes: BundleSize[] = [];
  for (const file of readdirSync(outdir).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as {
      Resources?: Record<string, TemplateResource>;
    };
    for (const resource of Object.values(template.Resources ?? {})) {
      const description = resource.Properties?.Description;
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      if (typeof description !== 'string' || !description.startsWith(DESCRIPTION_PREFIX)) continue;
      if (typeof assetPath !== 'string') {
        throw new Error(`${description}: no aws:asset:path metadata in ${file}`);
      }
      const entry = description.slice(DESCRIPTION_PREFIX.length).replace(/\.ts$/, '');
      // The function's bundle and those of the worker threads it starts: what it deploys.
      const files = [
        BUNDLE_FILE,
        ...(WORKER_ENTRIES[entry] ?? []).map((w) => `${basename(w, '.ts')}.mjs`),
      ];
      let bytes = 0;
      for (const f of files) {
        const bundle = join(outdir, assetPath, f);
        if (!existsSync(bundle)) throw new Error(`${description}: ${bundle} is missing`);
        bytes += statSync(bundle).size;
      }
      sizes.push({
        stack: file.replace(/\.template\.json$/, ''),
        entry,
        bytes,
        limit: bundleLimit(entry),
      });
    }
  }
  return sizes.sort((a, b) => a.entry.localeCompare(b.entry));
}
