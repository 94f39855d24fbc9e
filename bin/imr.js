#!/usr/bin/env node
// The `imr` command. tsx runs the TypeScript sources directly, so there is no build step
// between `npm ci` and `npx imr`.
import { register } from 'tsx/esm/api';

// The local tools run on this project's Node 20 on purpose (Lambda runs nodejs22.x); the SDK's
// notice about future Node 22 releases would otherwise print on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
