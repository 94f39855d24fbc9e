// Errors of the connection rather than of the request (a reset socket, a response cut short, a
// server briefly failing), and retrying what failed so. The SDK retries such errors while it
// sends a request, but not once it has handed over a response body being streamed: a body cut
// short (`Error: aborted`, ECONNRESET) reaches the caller.

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** True for an error worth retrying as is: a connection error or a server error (5xx). */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = 'code' in e ? e.code : undefined;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (e.name === 'TimeoutError') return true;
  const metadata = '$metadata' in e ? e.$metadata : undefined;
  const status =
    typeof metadata === 'object' && metadata !== null && 'httpStatusCode' in metadata
      ? metadata.httpStatusCode
      : undefined;
  return typeof status === 'number' && status >= 500;
}

/**
 * `fn`, tried again after a connection error (isConnectionError) up to `attempts` times in all,
 * with exponential backoff and jitter; any other error, or the last one, is thrown.
 */
export async function retryConnectionErrors<T>(
  fn: () => Promise<T>,
  options: { attempts?: number; baseMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const baseMs = options.baseMs ?? 100;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= attempts || !isConnectionError(e)) throw e;
      const delay = baseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
