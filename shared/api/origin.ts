import { createHash, timingSafeEqual } from 'node:crypto';

// CloudFront adds this header, with a secret value, to every request it sends the API; the API's
// authorizer refuses requests without it. So the API answers only through CloudFront, behind its
// web ACL and cache: its own execute-api address, which is public and cannot be switched off
// without a custom domain, refuses everyone else (cdk/stacks/api.ts).

/** The header CloudFront sends the API (lower case, as API Gateway passes header names). */
export const ORIGIN_HEADER = 'x-imr-atlas-origin';

/** Whether a request's origin header carries the secret; constant-time in the value. */
export function originVerified(header: string | undefined, secret: string): boolean {
  if (header === undefined || secret.length === 0) return false;
  // Hashes have one length, so comparing them tells nothing of the secret's.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(header), digest(secret));
}
