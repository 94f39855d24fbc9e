import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from './bundling/esbuild.ts';
import { bundleSizes } from './bundle-sizes.ts';

// `npm run synth`: `cdk synth` (offline: nothing here calls AWS), then each function's bundle
// size against its limit. Fails when the synthesis fails or a bundle is over its limit.

// The app requires a stage (cdk/config.ts); checking the templates needs none in particular, so
// dev unless one is given (`npm run synth -- -c stage=prod`). Deploying still asks for one.
const args = process.argv.slice(2);
const staged = args.some(
  (a, i) => a.startsWith('stage=') && ['-c', '--context'].includes(args[i - 1] ?? ''),
);
if (!staged) args.push('-c', 'stage=dev');

const started = Date.now();
const synth = spawnSync('npx', ['cdk', 'synth', '--quiet', ...args], {
  cwd: PROJECT_ROOT,
  stdio: 'inherit',
});
if (synth.status !== 0) process.exit(synth.status ?? 1);
console.log(`cdk synth: ${((Date.now() - started) / 1000).toFixed(1)} s`);

const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;
let over = 0;
for (const b of bundleSizes(join(PROJECT_ROOT, 'cdk.out'))) {
  const ok = b.bytes <= b.limit;
  if (!ok) over++;
  console.log(
    `${ok ? 'ok  ' : 'OVER'}  ${b.entry.padEnd(26)} ${kb(b.bytes).padStart(10)}  limit ${kb(b.limit)}`,
  );
}
if (over > 0) {
  console.error(`${over} bundle(s) over the limit (cdk/bundling/esbuild.ts bundleLimit)`);
  process.exit(1);
}
