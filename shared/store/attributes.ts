import type { AttributeValue } from '@aws-sdk/client-dynamodb';

// Plain values to DynamoDB attribute values and back, for the few shapes this table stores
// (strings, numbers, booleans, null, bytes, lists and maps). Reads are then validated with zod.

export type Plain =
  | string
  | number
  | boolean
  | null
  | Uint8Array
  | readonly Plain[]
  | { readonly [k: string]: Plain | undefined };

/** One plain value as an attribute value. */
export function toAttribute(value: Plain): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value instanceof Uint8Array) return { B: value };
  if (Array.isArray(value)) return { L: (value as readonly Plain[]).map(toAttribute) };
  return { M: toItem(value as { readonly [k: string]: Plain | undefined }) };
}

/** A plain object as a DynamoDB item; undefined fields are left out. */
export function toItem(obj: {
  readonly [k: string]: Plain | undefined;
}): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = toAttribute(v);
  return out;
}

/** An attribute value as a plain value (numbers as numbers, bytes as Uint8Array). */
export function fromAttribute(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return value.B;
  if (value.L !== undefined) return value.L.map(fromAttribute);
  if (value.M !== undefined) return fromItem(value.M);
  if (value.SS !== undefined) return value.SS;
  if (value.NS !== undefined) return value.NS.map(Number);
  return undefined;
}

/** A DynamoDB item as a plain object, for validation with a zod schema. */
export function fromItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) out[k] = fromAttribute(v);
  return out;
}
