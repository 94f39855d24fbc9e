#!/usr/bin/env node
// The `imr` command. tsx runs the TypeScript sources directly, so there is no build step
// between `npm ci` and `npx imr`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
