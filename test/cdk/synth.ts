import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildAtlas, type Atlas } from '../../cdk/atlas.ts';

// Synthesises the whole app offline, as `cdk synth` does (cdk-nag included), without the real
// site build: a stub page with one inline script stands in for web/build.

export const STUB_INLINE_SCRIPT = "window.__stub = 'atlas';";

export interface Synthesised {
  app: App;
  atlas: Atlas;
  outdir: string;
  templates: Record<'storage' | 'ingest' | 'api' | 'exports' | 'edge' | 'web', Template>;
}

export function stubSite(): string {
  const dir = mkdtempSync(join(tmpdir(), 'imr-site-'));
  writeFileSync(
    join(dir, 'index.html'),
    `<!doctype html><html><head><script type="application/json">{"a":1}</script></head>` +
      `<body><script>${STUB_INLINE_SCRIPT}</script></body></html>`,
  );
  writeFileSync(join(dir, '404.html'), '<!doctype html><title>Not found</title>');
  mkdirSync(join(dir, '_app', 'immutable'), { recursive: true });
  writeFileSync(join(dir, '_app', 'immutable', 'start.js'), '');
  writeFileSync(join(dir, '_app', 'version.json'), '{}');
  return dir;
}

/** The app synthesised with the given context; throws when cdk-nag reports anything. */
export function synthesise(context: Record<string, unknown>): Synthesised {
  const outdir = mkdtempSync(join(tmpdir(), 'imr-cdk-'));
  // Asset paths in the templates, as the CLI writes them, to find each function's bundle.
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true, ...context } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const atlas = buildAtlas(app, { siteDir: stubSite() });
  app.synth();
  return {
    app,
    atlas,
    outdir,
    templates: {
      storage: Template.fromStack(atlas.storage),
      ingest: Template.fromStack(atlas.ingest),
      api: Template.fromStack(atlas.api),
      exports: Template.fromStack(atlas.exports),
      edge: Template.fromStack(atlas.edge),
      web: Template.fromStack(atlas.web),
    },
  };
}

export const ORGANISATIONS = [
  { id: 'acme-claims', principal: 'arn:aws:iam::123456789012:root', externalId: 'acme-7f3c' },
  { id: 'beta-admin', principal: 'arn:aws:iam::210987654321:role/uploader', externalId: 'x-42' },
];
