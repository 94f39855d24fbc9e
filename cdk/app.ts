import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildAtlas } from './atlas.ts';
import { DeploymentConfigError } from './config.ts';
import { PROJECT_ROOT } from './bundling/esbuild.ts';

// `npx cdk synth -c stage=dev` / `npx cdk deploy --all -c stage=prod` (cdk.json). The site is
// published from its build.

const siteDir = join(PROJECT_ROOT, 'web', 'build');
if (!existsSync(join(siteDir, 'index.html'))) {
  console.error(
    `The site is not built (${siteDir}/index.html is missing): run npm run build:web first.`,
  );
  process.exit(1);
}

const app = new App();
// Every AwsSolutions finding fails the synthesis unless acknowledged with its reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
// Environment-agnostic: the stacks go to the account and region of the credentials that
// deploy them, and synthesis needs neither.
try {
  buildAtlas(app, { siteDir });
} catch (e) {
  // A settings mistake is the operator's to fix: its message, not a stack trace.
  if (!(e instanceof DeploymentConfigError)) throw e;
  console.error(e.message);
  process.exit(1);
}
app.synth();
