import { Writable } from 'node:stream';

/** Output streams for a CLI command run in-process, and what was written to each. */
export function capture(): {
  io: { stdout: Writable; stderr: Writable };
  out: () => string;
  err: () => string;
} {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString());
        done();
      },
    });
  return {
    io: { stdout: sink((s) => (out += s)), stderr: sink((s) => (err += s)) },
    out: () => out,
    err: () => err,
  };
}
