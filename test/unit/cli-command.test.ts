import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CommandFailure,
  defineCommand,
  optionValue,
  POSITIVE,
  UsageError,
  type Io,
} from '../../cli/command.ts';

/** An Io whose writes are kept, to compare byte for byte. */
function capture(): Io & { out: () => string; err: () => string } {
  const sink = (): Writable & { text: string } => {
    const w = new Writable({
      write(chunk: Buffer, _encoding, done) {
        w.text += chunk.toString();
        done();
      },
    }) as Writable & { text: string };
    w.text = '';
    return w;
  };
  const stdout = sink();
  const stderr = sink();
  return { stdout, stderr, out: () => stdout.text, err: () => stderr.text };
}

const USAGE = 'Usage: imr demo [--count N] NAME\n';

/** A command whose run does whatever `behave` says, and records what it held and closed. */
function demo(behave: (name: string, count: number) => Promise<number>) {
  const closed: string[] = [];
  const command = defineCommand({
    program: 'imr demo',
    usage: USAGE,
    options: { count: { type: 'string', default: '1' } },
    positionals: true,
    check({ values, positionals }) {
      if (positionals.length !== 1) throw new UsageError('one NAME expected');
      return {
        name: positionals[0]!,
        count: optionValue(values.count, POSITIVE, '--count must be a positive number'),
      };
    },
    async run({ name, count }, { hold }) {
      hold({ where: 's3://demo' }, (r) => closed.push(r.where));
      return behave(name, count);
    },
    explain: (e, where) =>
      e instanceof Error && e.message === 'Access Denied' ? `${where} refused` : undefined,
  });
  return { command, closed };
}

describe('defineCommand', () => {
  it('prints the usage on --help or -h anywhere, before reading anything else', async () => {
    for (const args of [['--help'], ['x', '-h'], ['--bogus', '--help']]) {
      const io = capture();
      expect(await demo(async () => 0).command(args, io)).toBe(0);
      expect(io.out()).toBe(USAGE);
      expect(io.err()).toBe('');
    }
  });

  it('shows usage errors in the command line with the usage text: exit 2', async () => {
    const cases: [string[], string][] = [
      [[], 'one NAME expected'],
      [['x', '--count', '0'], '--count must be a positive number'],
      [
        ['x', '--bogus'],
        "Unknown option '--bogus'. To specify a positional argument starting with a '-', place " +
          `it at the end of the command after '--', as in '-- "--bogus"`,
      ],
      [['x', '--count'], "Option '--count <value>' argument missing"],
    ];
    for (const [args, message] of cases) {
      const io = capture();
      expect(await demo(async () => 0).command(args, io)).toBe(2);
      expect(io.err()).toBe(`imr demo: ${message}\n\n${USAGE}`);
      expect(io.out()).toBe('');
    }
  });

  it('runs with what check returned and closes what the run held', async () => {
    const { command, closed } = demo(async (name, count) => (name === 'x' && count === 3 ? 0 : 9));
    const io = capture();
    expect(await command(['x', '--count=3'], io)).toBe(0);
    expect(closed).toEqual(['s3://demo']);
  });

  it('maps what the run throws to one line and an exit status, and closes what it held', async () => {
    const cases: [Error, number, string][] = [
      [new UsageError('no such folder'), 2, 'imr demo: no such folder\n'],
      [new CommandFailure('could not write'), 1, 'imr demo: could not write\n'],
      [new Error('Access Denied'), 1, 'imr demo: s3://demo refused\n'],
    ];
    for (const [error, status, line] of cases) {
      const { command, closed } = demo(() => Promise.reject(error));
      const io = capture();
      expect(await command(['x'], io)).toBe(status);
      // A usage error once the command runs is shown alone, without the usage text.
      expect(io.err()).toBe(line);
      expect(closed).toEqual(['s3://demo']);
    }
  });

  it('throws what no one explains (a bug), after closing what the run held', async () => {
    const bug = new TypeError('undefined is not a function');
    const { command, closed } = demo(() => Promise.reject(bug));
    const io = capture();
    await expect(command(['x'], io)).rejects.toBe(bug);
    expect(io.err()).toBe('');
    expect(closed).toEqual(['s3://demo']);
  });

  it('reads --help as an option when told to, so that a mistake elsewhere is reported first', async () => {
    const command = defineCommand({
      program: 'npm start',
      usage: USAGE,
      helpOption: true,
      options: { port: { type: 'string', default: '8080' } },
      check: (parsed) => parsed.values.port,
      run: async () => 0,
    });
    for (const args of [['--help'], ['-h'], ['--port', '1', '--help']]) {
      const io = capture();
      expect(await command(args, io)).toBe(0);
      expect(io.out()).toBe(USAGE);
    }
    const io = capture();
    expect(await command(['--bogus', '--help'], io)).toBe(2);
    expect(io.err()).toMatch(/^npm start: Unknown option '--bogus'/);
    expect(io.err().endsWith(`\n\n${USAGE}`)).toBe(true);
    expect(io.out()).toBe('');
  });

  it('lets a command read its own command line', async () => {
    const command = defineCommand({
      program: 'imr raw',
      usage: USAGE,
      read(args) {
        if (args.some((a) => a.startsWith('-'))) throw new UsageError(`unknown option ${args[0]}`);
        return args.length;
      },
      run: async (n, { io }) => {
        io.stdout.write(`${n}\n`);
        return 0;
      },
    });
    const ok = capture();
    expect(await command(['a', 'b'], ok)).toBe(0);
    expect(ok.out()).toBe('2\n');
    const bad = capture();
    expect(await command(['--'], bad)).toBe(2);
    expect(bad.err()).toBe(`imr raw: unknown option --\n\n${USAGE}`);
  });
});

describe('optionValue', () => {
  it('checks a value against a schema, or throws a usage error with the message given', () => {
    expect(optionValue('600', POSITIVE, 'bad')).toBe(600);
    expect(optionValue('0.5', POSITIVE, 'bad')).toBe(0.5);
    for (const text of ['0', '-1', 'abc', '', 'Infinity']) {
      expect(() => optionValue(text, POSITIVE, '--timeout must be a positive number')).toThrow(
        new UsageError('--timeout must be a positive number'),
      );
    }
    expect(optionValue('2024-02-29', z.iso.date(), 'bad')).toBe('2024-02-29');
  });
});
