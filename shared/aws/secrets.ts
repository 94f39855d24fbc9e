import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

// Secrets are read from Secrets Manager by the functions that use them, once per instance (at
// its first request), rather than placed in their environment, where every reader of the
// function's configuration would see them.

/** Reads secret values by ARN. */
export interface SecretReader {
  read(secretId: string): Promise<string>;
}

/** A reader over Secrets Manager in `region` (the functions' own). */
export function secretsManagerReader(region: string): SecretReader {
  const client = new SecretsManagerClient({ region });
  return {
    async read(secretId) {
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
      if (out.SecretString === undefined || out.SecretString === '') {
        throw new Error(`secret ${secretId} has no string value`);
      }
      return out.SecretString;
    },
  };
}

/** A secret read once and kept; a failed read is not kept. */
export interface KeptSecret {
  value(): Promise<string>;
  /** Reads it again (after a rotation), unless it was read less than `minIntervalMs` ago: null. */
  reread(): Promise<string> | null;
}

export function keptSecret(
  reader: SecretReader,
  secretId: string,
  minIntervalMs: number,
): KeptSecret {
  let kept: Promise<string> | undefined;
  let readAt = 0;
  const read = (): Promise<string> => {
    readAt = Date.now();
    const value = reader.read(secretId);
    kept = value;
    value.catch(() => {
      if (kept === value) kept = undefined;
    });
    return value;
  };
  return {
    value: () => kept ?? read(),
    reread: () => (Date.now() - readAt < minIntervalMs ? null : read()),
  };
}
