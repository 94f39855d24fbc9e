import { z } from 'zod';
import {
  CommandFailure,
  defineCommand,
  optionValue,
  type Io,
  runAsScript,
} from '../cli/command.ts';
import { JavaMissingError } from '../local/dynamodb-local.ts';
import { startExportSchedule, type ExportSchedule } from '../local/exports.ts';
import { startLocalServer, type LocalServer } from '../local/server.ts';
import { s3ExportBucket } from '../shared/export/index.ts';
import { DataDirInUseError, startLocalStack } from '../local/stack.ts';
import { createLogger, LOG_LEVELS } from '../shared/logger.ts';

// `npm start`: the whole system on this machine. DynamoDB Local and the local S3 on loopback,
// the ingest handler behind the local S3's events, and the API (and site) on --port
// (local/server.ts).

// As the scheduled ApplyQueued on AWS, more often: what no writer applied (a batch abandoned in
// an outage, once stale) is applied within seconds of being possible.
const SWEEP_EVERY_MS = 10_000;

const HELP = `Usage: npm start -- [--port N] [--data-dir DIR] [--demo N] [--export-interval MIN]

Runs IMR Atlas locally: DynamoDB Local, a local S3 whose uploads are ingested as they arrive,
and the site and API at http://127.0.0.1:PORT/. Data is kept in the data dir across restarts.

Options:
  --port N        HTTP port for the site and API (default 8080)
  --data-dir DIR  where DynamoDB and S3 keep their data (default .data)
  --demo N        upload N synthetic letters at start (each clearly marked synthetic)
  --export-interval MIN
                  write a statistics export snapshot after start, then every MIN minutes
                  (default 60; 0: never)
  --log-level L   ingest log level: debug, info, warn, error, silent (default warn)
`;

const startCommand = defineCommand({
  program: 'npm start',
  usage: HELP,
  helpOption: true,
  options: {
    port: { type: 'string', default: '8080' },
    'data-dir': { type: 'string', default: '.data' },
    demo: { type: 'string', default: '0' },
    'export-interval': { type: 'string', default: '60' },
    'log-level': { type: 'string', default: 'warn' },
  },
  check: (parsed) => parsed.values,
  run: (values, { io }) => start(values, io),
  // Java missing or the data dir held by another stack: said in a line, exit status 1.
  explain: (e) =>
    e instanceof JavaMissingError || e instanceof DataDirInUseError ? e.message : undefined,
});

/** Starts the stack and resolves to -1 while it runs (Ctrl+C stops it and exits). */
async function start(
  values: {
    port: string;
    'data-dir': string;
    demo: string;
    'export-interval': string;
    'log-level': string;
  },
  io: Io,
): Promise<number> {
  const exportMinutes = optionValue(
    values['export-interval'],
    z.coerce.number().min(0),
    `--export-interval must be a number of minutes (0: never), not "${values['export-interval']}"`,
  );
  const port = optionValue(
    values.port,
    z.coerce.number().int().min(0).max(65535),
    `--port must be a port number, not "${values.port}"`,
  );
  const demo = optionValue(
    values.demo,
    z.coerce.number().int().min(0),
    `--demo must be a whole number of letters, not "${values.demo}"`,
  );
  const level = optionValue(
    values['log-level'],
    z.enum(LOG_LEVELS),
    '--log-level must be debug, info, warn, error or silent',
  );

  const started = Date.now();
  // A fresh clone has no web/build, and a stale one would serve yesterday's site.
  const site = await import('../web/scripts/build.ts');
  if (site.siteIsStale()) {
    io.stdout.write('IMR Atlas: building the site into web/build ...\n');
    site.buildSite();
  }
  io.stdout.write(`IMR Atlas: starting the local stack in ${values['data-dir']} ...\n`);
  const logger = createLogger({ level, service: 'local' });
  const stack = await startLocalStack({
    dataDir: values['data-dir'],
    logger,
    sweepEveryMs: SWEEP_EVERY_MS,
  });

  let server: LocalServer;
  try {
    server = await startLocalServer(stack, {
      port,
      logger,
      exports: s3ExportBucket(stack.s3, stack.exportsBucket),
    });
  } catch (e) {
    await stack.stop();
    const code = (e as NodeJS.ErrnoException).code;
    throw new CommandFailure(
      code === 'EADDRINUSE'
        ? `port ${port} is in use; choose another with --port N`
        : `cannot listen on port ${port}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const url = server.url;

  let exports: ExportSchedule | null = null;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    io.stdout.write(`\n${signal}: stopping (waiting for letters being ingested) ...\n`);
    await server.close();
    await exports?.stop();
    await stack.stop();
    io.stdout.write('Stopped. Data kept in ' + values['data-dir'] + '\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  io.stdout.write(
    [
      `Ready in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
      `  Site and API   ${url}   (API: ${url}api/stats?by=category, ${url}api/openapi.json)`,
      `  DynamoDB Local ${stack.dynamodbEndpoint}   table ${stack.tableName}`,
      `  Local S3       ${stack.s3Endpoint}   bucket ${stack.bucket} (credentials S3RVER/S3RVER)`,
      `  Exports        ${url}api/exports   ${exportMinutes > 0 ? `(every ${exportMinutes} min, first after start)` : '(off)'}`,
      `  Data           ${stack.dataDir}`,
      `Upload letters:  npx imr upload PATH... --org NAME${values['data-dir'] === '.data' ? '' : ` --data-dir ${values['data-dir']}`}`,
      'Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  if (demo > 0) {
    const { seedDemo } = await import('../local/demo.ts');
    // Uploads queued again at start (see replayUnrecorded) finish first, so the demo counts them.
    await stack.ingest.idle();
    await seedDemo(stack, demo, io.stdout);
  }
  if (exportMinutes > 0 && !stopping) {
    // After the demo, so that the first snapshot holds it.
    await stack.ingest.idle();
    exports = startExportSchedule(stack, {
      intervalMs: exportMinutes * 60_000,
      logger,
      onResult: (result) => {
        if (result.status === 'complete') {
          io.stdout.write(
            `Export: snapshot ${result.manifest.snapshot} written (${result.manifest.totals.items} items), listed at ${url}api/exports\n`,
          );
        }
      },
    });
  }
  return -1;
}

// Emitted when the first client is built, so setting it here is early enough (see bin/imr.js).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
runAsScript(startCommand, 'npm start');
