import type { Command } from './command.ts';

const HELP = `imr: IMR Atlas command line

Usage:
  imr parse FILE|DIR...   Parse IMR determination letters (PDF or text) into JSON lines
  imr generate N --out DIR [--format text|pdf] [--seed S] [--start I] [--mailed]
                          Write N synthetic (made-up) letters for testing
  imr upload PATH...      Upload letters to the local stack (or AWS) and report what became of each
  imr export              Write a statistics export snapshot of the local stack; print its manifest
  imr receipts [--org NAME] [--failed] [--since DATE]
                          List the receipts of uploaded files; "imr receipts rollup" writes the
                          daily roll-up CSVs
  imr conflicts [resolve CASE --accept ORG | --keep]
                          List cases another organisation sent different content for; settle one
  imr reparse --all | --failed | --reason CODE
                          Read uploaded letters again with this version's parser
  imr --help              Show this help; "imr COMMAND --help" shows a command's options

Run it as "npx imr ..." from the project folder.
`;

// Each command is loaded when it is run: the AWS SDK, which most of them use, adds startup time
// the others need not pay.
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  parse: async () => (await import('./parse.ts')).parseCommand,
  generate: async () => (await import('./generate.ts')).generateCommand,
  upload: async () => (await import('./upload.ts')).uploadCommand,
  receipts: async () => (await import('./receipts.ts')).receiptsCommand,
  export: async () => (await import('./export.ts')).exportCommand,
  conflicts: async () => (await import('./conflicts.ts')).conflictsCommand,
  reparse: async () => (await import('./reparse.ts')).reparseCommand,
};

/** Runs the CLI with the given arguments and resolves to the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (load === undefined) {
    process.stderr.write(`imr: unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  return (await load())(rest, { stdout: process.stdout, stderr: process.stderr });
}
