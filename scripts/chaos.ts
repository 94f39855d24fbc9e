import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { defineCommand, optionValue, type Io, runAsScript } from '../cli/command.ts';
import { auditPassed, auditProblems } from './chaos/audit.ts';
import { runScenario, SCENARIOS, type ScenarioResult } from './chaos/scenarios.ts';

// `npm run chaos`: the fault scenarios (scripts/chaos/scenarios.ts) against real local stacks,
// then a table of what each left behind. Exit status 1 when anything was lost, recorded wrongly,
// or any counter disagrees with a recount.

const HELP = `Usage: npm run chaos -- [--letters N] [--data-dir DIR] [--only N,...]

Runs the fault scenarios against real local stacks (DynamoDB Local, local S3, the ingest):
  1  DynamoDB Local killed in the middle of ingesting N letters, restarted on its port
  2  the npm start process killed in the middle of a batch of N letters, restarted
  3  every event delivered two or three times, shuffled (N/4 keys, some overwritten)
  4  objects deleted between their event and its read (N/4 keys)
  5  DynamoDB Local down 20 s, longer than the retries last (N/4 letters): the dead letters
     are redriven as an operator would (the uploads without a status queued again)
and checks after each that every uploaded object is a determination or a recorded failure and
that every counter equals a recount from the stored determinations.

Options:
  --letters N     letters per scenario (default 2000)
  --data-dir DIR  where the stacks keep their data (default: a temporary directory, removed)
  --only LIST     scenario numbers to run, e.g. 1,3
`;

const chaosCommand = defineCommand({
  program: 'npm run chaos',
  usage: HELP,
  helpOption: true,
  options: {
    letters: { type: 'string', default: '2000' },
    'data-dir': { type: 'string' },
    only: { type: 'string' },
  },
  check: (parsed) => parsed.values,
  run: (values, { io }) => chaos(values, io),
});

/** Runs the chosen scenarios and prints their table; 1 when any of them lost or miscounted. */
async function chaos(
  values: { letters: string; 'data-dir'?: string | undefined; only?: string | undefined },
  io: Io,
): Promise<number> {
  const letters = optionValue(
    values.letters,
    z.coerce.number().int().min(12),
    '--letters must be a whole number ≥ 12',
  );
  const only = optionValue(
    values.only?.split(',') ?? SCENARIOS.map((_, i) => String(i + 1)),
    z.array(z.coerce.number().int().min(1).max(SCENARIOS.length)),
    `--only takes scenario numbers 1-${SCENARIOS.length}`,
  );
  const temporary = values['data-dir'] === undefined;
  const dataDir = values['data-dir'] ?? (await mkdtemp(join(tmpdir(), 'imr-chaos-')));

  const started = new Date();
  const log = (line: string): void => {
    const t = ((Date.now() - started.getTime()) / 1000).toFixed(1).padStart(6);
    io.stdout.write(`${t}s ${line}\n`);
  };
  log(`${letters} letters per scenario, data in ${dataDir}`);
  const results: ScenarioResult[] = [];
  try {
    for (const n of only) {
      const scenario = SCENARIOS[n - 1]!;
      log(`${n}. ${scenario.name}`);
      const result = await runScenario(scenario, { letters, dataDir, progress: log });
      log(`${n}. done in ${(result.durationMs / 1000).toFixed(1)} s: ${result.notes.join('; ')}`);
      results.push(result);
    }
  } finally {
    if (temporary) await rm(dataDir, { recursive: true, force: true });
  }

  io.stdout.write(
    `\n${report(results)}\n\n${started.toISOString()}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}\n`,
  );
  const failed = results.filter((r) => !auditPassed(r.audit) || r.wrong.length > 0);
  for (const r of failed) {
    io.stdout.write(`\nFAILED: ${r.name}\n`);
    for (const p of [...auditProblems(r.audit), ...r.wrong.slice(0, 5)])
      io.stdout.write(`  ${p}\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

/** The results as a Markdown table (pasted into docs/RELIABILITY.md as is). */
function report(results: readonly ScenarioResult[]): string {
  const header = [
    'scenario',
    'uploaded',
    'determinations',
    'failures recorded',
    'lost',
    'wrong outcome',
    'counters = recount',
    'duration',
    'notes',
  ];
  const rows = results.map((r) => {
    const a = r.audit;
    const consistent =
      a.counterMismatches.length === 0 &&
      a.indexMismatches === 0 &&
      a.pending === 0 &&
      a.markers === 0 &&
      a.queued === 0;
    return [
      r.name,
      String(a.uploaded),
      String(a.determinations),
      String(a.failures),
      String(a.lost.length + a.receiptMismatches.length),
      String(r.wrong.length),
      consistent ? 'yes' : `NO (${auditProblems(a).join('; ')})`,
      `${(r.durationMs / 1000).toFixed(1)} s`,
      r.notes.join('; '),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
runAsScript(chaosCommand, 'npm run chaos');
