import type { Writable } from 'node:stream';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';

// The shape every command shares (`imr`'s, and the scripts `npm start` and `npm run chaos`): its
// options and usage text, `--help`, and what each kind of failure prints and exits with. Commands throw; this module alone turns what they throw into
// a line on stderr and an exit status, so the same mistake reads the same in every command:
//   0  done (or --help)
//   1  the command ran and could not do what it was asked (CommandFailure, or a failure the
//      command explains, such as a bucket refusing its credentials)
//   2  a usage error: while reading the command line, printed with the usage text; once the
//      command runs (a folder with no letters, no local stack), printed alone

export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
}

/** A mistake in the command line: exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The command ran and could not do what it was asked, for the reason its message gives: exit status 1. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';
}

/** What a command's run is given besides its input. */
export interface RunContext {
  io: Io;
  /**
   * Keeps `resource` until the command ends, then closes it (so the process can exit at once);
   * its `where` names it in the messages of failures the command explains.
   */
  hold<T extends { where: string }>(resource: T, close: (resource: T) => void): T;
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** The command line as node:util parseArgs reads it with these options. */
export type Parsed<O extends OptionsConfig, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: P }>
>;

interface CommonSpec<I> {
  /** What the messages begin with: "imr upload", "npm start". */
  program: string;
  /** The usage text: printed by --help, and after a usage error in the command line. */
  usage: string;
  run(input: I, context: RunContext): Promise<number>;
  /**
   * The line to print for a failure this command expects that is not one of this module's
   * classes (an S3 403), given the `where` of the resource held (undefined before one is);
   * undefined for anything else, which is a bug and is thrown.
   */
  explain?(error: unknown, where: string | undefined): string | undefined;
}

/** A command whose options node:util parseArgs reads (strict: unknown options are usage errors). */
export interface OptionsSpec<O extends OptionsConfig, P extends boolean, I> extends CommonSpec<I> {
  options: O;
  positionals?: P;
  /**
   * --help (-h) read as one of the options, so that a mistake elsewhere in the line is reported
   * first (the scripts); by default it is looked for anywhere before anything is read (imr).
   */
  helpOption?: boolean;
  /** Turns what was parsed into the command's input; a UsageError here is shown with the usage. */
  check(parsed: Parsed<O, P>): I;
}

/** A command that reads its own command line (its messages predate parseArgs). */
export interface ReaderSpec<I> extends CommonSpec<I> {
  read(args: readonly string[]): I;
}

const HELP = Symbol('help');
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** A command as `imr` runs it: its arguments (after its name) in, its exit status out. */
export type Command = (args: readonly string[], io: Io) => Promise<number>;

/** Declares a command: one function that handles --help, reads, runs and reports failures. */
export function defineCommand<const O extends OptionsConfig, const P extends boolean, I>(
  spec: OptionsSpec<O, P, I>,
): Command;
export function defineCommand<I>(spec: ReaderSpec<I>): Command;
export function defineCommand<I>(
  spec: OptionsSpec<OptionsConfig, boolean, I> | ReaderSpec<I>,
): Command {
  const helpOption = !('read' in spec) && spec.helpOption === true;
  const read =
    'read' in spec
      ? spec.read
      : (args: readonly string[]): I | typeof HELP => {
          const config: ParseArgsConfig = {
            args: [...args],
            options: helpOption ? { ...spec.options, ...HELP_OPTION } : spec.options,
            allowPositionals: spec.positionals ?? false,
          };
          const parsed = parseArgs(config);
          return parsed.values.help === true ? HELP : spec.check(parsed);
        };
  return async (args, io) => {
    if (!helpOption && (args.includes('--help') || args.includes('-h'))) {
      io.stdout.write(spec.usage);
      return 0;
    }
    const prefix = `${spec.program}: `;
    let input: I | typeof HELP;
    try {
      input = read(args);
    } catch (e) {
      if (!(e instanceof UsageError) && !isParseArgsError(e)) throw e;
      io.stderr.write(`${prefix}${e.message}\n\n${spec.usage}`);
      return 2;
    }
    if (input === HELP) {
      io.stdout.write(spec.usage);
      return 0;
    }
    const held: { where: string; close: () => void }[] = [];
    const context: RunContext = {
      io,
      hold(resource, close) {
        held.push({ where: resource.where, close: () => close(resource) });
        return resource;
      },
    };
    try {
      return await spec.run(input, context);
    } catch (e) {
      const failed = failure(e, spec, held.at(-1)?.where);
      if (failed === null) throw e;
      io.stderr.write(`${prefix}${failed.line}\n`);
      return failed.status;
    } finally {
      for (const h of held.reverse()) h.close();
    }
  };
}

/**
 * Runs a command as a script's whole process (`npm start`, `npm run chaos`, `npm run letters`):
 * exits with its status, or leaves the process running when the status is negative (a server
 * that stops on a signal); anything thrown past the command is printed with its stack, status 1.
 */
export function runAsScript(command: Command, program: string): void {
  command(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (e: unknown) => {
      process.stderr.write(
        `${program}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
      );
      process.exit(1);
    },
  );
}

/** The line and exit status of what a run threw; null for what nobody explains (a bug). */
function failure(
  error: unknown,
  spec: Pick<CommonSpec<unknown>, 'explain'>,
  where: string | undefined,
): { line: string; status: number } | null {
  if (error instanceof UsageError) return { line: error.message, status: 2 };
  if (error instanceof CommandFailure) return { line: error.message, status: 1 };
  const line = spec.explain?.(error, where);
  return line === undefined ? null : { line, status: 1 };
}

// parseArgs throws TypeErrors with these codes for unknown options, missing values and
// unexpected positionals; its messages say what was wrong.
function isParseArgsError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code.startsWith('ERR_PARSE_ARGS_')
  );
}

/** A number above zero, as an option's text gives it ("600", "0.5"). */
export const POSITIVE = z.coerce.number().positive();

/** An option's value checked against a schema, or a usage error with `message`. */
export function optionValue<S extends z.ZodType>(
  value: unknown,
  schema: S,
  message: string,
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UsageError(message);
  return parsed.data;
}

/** The message of whatever was thrown, for a line on stderr. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
