import { parseArgs } from 'node:util';
import { JavaMissingError } from '../local/dynamodb-local.ts';
import { startExportSchedule, type ExportSchedule } from '../local/exports.ts';
import { startLocalServer, type LocalServer } from '../local/server.ts';
import { s3ExportBucket } from '../shared/export/bucket.ts';
import { DataDirInUseError, startLocalStack, type LocalStack } from '../local/stack.ts';
import { createLogger, type LogLevel } from '../shared/logger.ts';

// `npm start`: the whole system on this machine. DynamoDB Local and the local S3 on loopback,
// the ingest handler behind the local S3's events, and the API (and site) on --port
// (local/server.ts).

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

async function main(): Promise<number> {
  // Emitted when the first client is built, so setting it here is early enough (see bin/imr.js).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        port: { type: 'string', default: '8080' },
        'data-dir': { type: 'string', default: '.data' },
        demo: { type: 'string', default: '0' },
        'export-interval': { type: 'string', default: '60' },
        'log-level': { type: 'string', default: 'warn' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    process.stderr.write(`npm start: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = Number(values.port);
  const demo = Number(values.demo);
  const level = values['log-level'];
  const exportMinutes = Number(values['export-interval']);
  if (!Number.isFinite(exportMinutes) || exportMinutes < 0) {
    process.stderr.write(
      `npm start: --export-interval must be a number of minutes (0: never), not "${values['export-interval']}"\n`,
    );
    return 2;
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`npm start: --port must be a port number, not "${values.port}"\n`);
    return 2;
  }
  if (!Number.isInteger(demo) || demo < 0) {
    process.stderr.write(
      `npm start: --demo must be a whole number of letters, not "${values.demo}"\n`,
    );
    return 2;
  }
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(level)) {
    process.stderr.write(`npm start: --log-level must be debug, info, warn, error or silent\n`);
    return 2;
  }

  const started = Date.now();
  // A fresh clone has no web/build, and a stale one would serve yesterday's site.
  const site = await import('../web/scripts/build.ts');
  if (site.siteIsStale()) {
    process.stdout.write('IMR Atlas: building the site into web/build ...\n');
    site.buildSite();
  }
  process.stdout.write(`IMR Atlas: starting the local stack in ${values['data-dir']} ...\n`);
  const logger = createLogger({ level: level as LogLevel, service: 'local' });
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ dataDir: values['data-dir'], logger });
  } catch (e) {
    if (e instanceof JavaMissingError || e instanceof DataDirInUseError) {
      process.stderr.write(`npm start: ${e.message}\n`);
      return 1;
    }
    throw e;
  }

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
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `npm start: port ${port} is in use; choose another with --port N\n`
        : `npm start: cannot listen on port ${port}: ${(e as Error).message}\n`,
    );
    return 1;
  }
  const url = server.url;

  let exports: ExportSchedule | null = null;
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping (waiting for letters being ingested) ...\n`);
    await server.close();
    await exports?.stop();
    await stack.stop();
    process.stdout.write('Stopped. Data kept in ' + values['data-dir'] + '\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  process.stdout.write(
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
    await seedDemo(stack, demo, process.stdout);
  }
  if (exportMinutes > 0 && !stopping) {
    // After the demo, so that the first snapshot holds it.
    await stack.ingest.idle();
    exports = startExportSchedule(stack, {
      intervalMs: exportMinutes * 60_000,
      logger,
      onResult: (result) => {
        if (result.status === 'complete') {
          process.stdout.write(
            `Export: snapshot ${result.manifest.snapshot} written (${result.manifest.totals.items} items), listed at ${url}api/exports\n`,
          );
        }
      },
    });
  }
  return -1;
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`npm start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
