import { generateCommand, GENERATE_HELP } from './generate.ts';
import { parseCommand, PARSE_HELP } from './parse.ts';

const HELP = `imr: IMR Atlas command line

Usage:
  imr parse FILE|DIR...   Parse IMR determination letters (PDF or text) into JSON lines
  imr generate N --out DIR [--format text|pdf] [--seed S] [--start I]
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

/** Runs the CLI with the given arguments and resolves to the process exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  switch (command) {
    case 'parse':
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(PARSE_HELP);
        return 0;
      }
      return parseCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'generate':
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(GENERATE_HELP);
        return 0;
      }
      return generateCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'upload': {
      // Loaded on demand: the AWS SDK adds startup time the other commands need not pay.
      const { uploadCommand, UPLOAD_HELP } = await import('./upload.ts');
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(UPLOAD_HELP);
        return 0;
      }
      return uploadCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    }
    case 'receipts': {
      // Loaded on demand, as upload is: the AWS SDK adds startup time.
      const { receiptsCommand, RECEIPTS_HELP } = await import('./receipts.ts');
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(RECEIPTS_HELP);
        return 0;
      }
      return receiptsCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    }
    case 'export': {
      const { exportCommand, EXPORT_HELP } = await import('./export.ts');
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(EXPORT_HELP);
        return 0;
      }
      return exportCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    }
    case 'conflicts': {
      const { conflictsCommand, CONFLICTS_HELP } = await import('./conflicts.ts');
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(CONFLICTS_HELP);
        return 0;
      }
      return conflictsCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    }
    case 'reparse': {
      const { reparseCommand, REPARSE_HELP } = await import('./reparse.ts');
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(REPARSE_HELP);
        return 0;
      }
      return reparseCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    }
    default:
      process.stderr.write(`imr: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}
