import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { Determination } from '../record/index.ts';
import { fromItem, toItem } from './attributes.ts';
import type { TableDeps } from './table.ts';
import {
  casePartition,
  heldCopyKey,
  heldCopyOrganisationPrefix,
  HELD_PREFIX,
  OPEN_CONFLICTS_PARTITION,
  openConflictKey,
} from './keys.ts';
import { queryPages } from './paging.ts';
import { decode, encode } from './record-codec.ts';
import { GSI1 } from './table.ts';

// Copies of a case that are not its public record (docs/DATA-MODEL.md, "Provenance"): every other
// upload of the case, one item per upload key. A copy whose parsed fields equal the published
// record corroborates it; a different one is a conflict, listed for an operator. Which one a copy
// is depends on what is published, so every change of the published record sorts them again
// (`resortHeld`, run by whoever completes the change). Neither kind changes anything public.

/** An upload of a case held beside its public record. */
export interface HeldUpload {
  id: string;
  organisation: string;
  sourceKey: string;
  contentHash: string;
  sequencer: string;
  record: Determination;
  now: string;
}

const heldSchema = z.object({
  caseId: z.string(),
  kind: z.enum(['corroboration', 'conflict']),
  organisation: z.string(),
  sourceKey: z.string(),
  contentHash: z.string(),
  sequencer: z.string(),
  /** When this upload was first held: the oldest corroboration inherits a removed case. */
  since: z.string(),
  updatedAt: z.string(),
  record: z.instanceof(Uint8Array),
  differences: z.array(z.string()),
});

/** A held copy, decoded. */
export interface HeldCopy extends Omit<z.infer<typeof heldSchema>, 'record'> {
  record: Determination;
}

/** A copy that corroborates the published record. */
export type Corroboration = HeldCopy & { kind: 'corroboration' };
/** Another organisation's different content for a case, as an operator reviews it. */
export type Conflict = HeldCopy & { kind: 'conflict' };

// What two copies of one letter must agree on: every coded field the record publishes and counts.
// The prose is left out: a copy as mailed to the parties is scrubbed of the names its cover gives
// (DATA-MODEL.md, "Provenance"; docs/PRIVACY.md), so its summary and rationales differ in words
// from the DWC's redacted copy of the same letter; the file name differs between any two uploads.
function comparable(r: Determination): string {
  return JSON.stringify({
    caseNumber: r.caseNumber,
    dates: r.dates,
    priority: r.priority,
    reviewer: r.reviewer,
    patient: r.patient,
    outcome: r.outcome,
    issues: r.issues.map((i) => ({
      ordinal: i.ordinal,
      request: i.request,
      decision: i.decision,
      category: i.category,
      subcategory: i.subcategory,
      drug: i.drug,
      bodyRegions: i.bodyRegions,
      quantity: i.quantity,
      frequency: i.frequency,
      citations: i.citations.map((c) => [c.source, c.title]),
      conclusion: i.conclusion,
    })),
  });
}

// A copy read by OCR is compared on what OCR is shown to read reliably (docs/PARSER.md, "Scanned
// letters"): the case, its dates, outcome and each item's decision. Its other fields may carry
// misreadings (a citation's title, a licensing state), so a scan of a published letter would
// otherwise be a conflict for an operator to settle while saying the same decisions.
function comparableDecisions(r: Determination): string {
  return JSON.stringify({
    caseNumber: r.caseNumber,
    dates: r.dates,
    outcome: r.outcome,
    issues: r.issues.map((i) => [i.ordinal, i.decision]),
  });
}

/**
 * Whether two records publish the same decisions: every coded field equal, the prose aside; when
 * either was read by OCR, the case, dates, outcome and decisions equal.
 */
export function samePublishedRecord(a: Determination, b: Determination): boolean {
  if (a.textSource === 'ocr' || b.textSource === 'ocr') {
    return comparableDecisions(a) === comparableDecisions(b);
  }
  return comparable(a) === comparable(b);
}

/** Whether two records are equal in every field, the prose included, as the table stores them. */
export function sameStoredRecord(a: Determination, b: Determination): boolean {
  // Through JSON, as the record codec stores it: an absent field and an undefined one are equal.
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

const MAX_DIFFERENCES = 5;

/** The first few ways `theirs` differs from the published record, in words. */
export function describeDifferences(theirs: Determination, published: Determination): string[] {
  const out: string[] = [];
  if (theirs.issues.length !== published.issues.length) {
    out.push(
      `${theirs.issues.length} disputed items here, ${published.issues.length} in the published record`,
    );
  }
  for (const item of theirs.issues) {
    const other = published.issues.find((i) => i.ordinal === item.ordinal);
    if (other === undefined) continue;
    if (other.decision !== item.decision) {
      out.push(
        `item ${item.ordinal} is ${item.decision} here, ${other.decision} in the published record`,
      );
    }
    if (other.request !== item.request) out.push(`item ${item.ordinal}'s request differs`);
  }
  if (theirs.dates.decision !== published.dates.decision) {
    out.push(
      `decision date ${theirs.dates.decision ?? 'none'} here, ${published.dates.decision ?? 'none'} in the published record`,
    );
  }
  if (out.length === 0) out.push('other parsed fields differ (summary, citations or rationale)');
  return out.slice(0, MAX_DIFFERENCES);
}

const NOTHING_PUBLISHED = 'the case has no published record at present';

/** What a copy is against the published record (null: nothing is published). */
function sortCopy(
  record: Determination,
  published: Determination | null,
): { kind: HeldCopy['kind']; differences: string[] } {
  if (published === null) return { kind: 'conflict', differences: [NOTHING_PUBLISHED] };
  return samePublishedRecord(record, published)
    ? { kind: 'corroboration', differences: [] }
    : { kind: 'conflict', differences: describeDifferences(record, published) };
}

/**
 * Holds an upload beside the published record, as a corroboration or a conflict. Keeps the time
 * the upload was first held when it is held again (re-sorting, a re-delivered event).
 */
export async function holdCopy(
  deps: TableDeps,
  held: HeldUpload,
  published: Determination | null,
  since: string = held.now,
): Promise<HeldCopy> {
  const { kind, differences } = sortCopy(held.record, published);
  const copy: HeldCopy = {
    caseId: held.id,
    kind,
    organisation: held.organisation,
    sourceKey: held.sourceKey,
    contentHash: held.contentHash,
    sequencer: held.sequencer,
    since,
    updatedAt: held.now,
    record: held.record,
    differences,
  };
  await putHeld(deps, copy);
  return copy;
}

async function putHeld(deps: TableDeps, copy: HeldCopy): Promise<void> {
  await deps.client.send(
    new PutItemCommand({
      TableName: deps.tableName,
      Item: toItem({
        ...heldCopyKey(copy.caseId, copy.organisation, copy.sourceKey),
        // Only conflicts are listed for an operator: a sparse index entry.
        ...(copy.kind === 'conflict'
          ? openConflictKey(copy.caseId, copy.organisation, copy.since)
          : {}),
        type: 'held',
        ...copy,
        record: encode(copy.record),
      }),
    }),
  );
}

function heldOf(item: Record<string, unknown>): HeldCopy {
  const h = heldSchema.parse(item);
  const record = decode(h.record);
  if (record === null) throw new Error(`held copy ${h.caseId}/${h.sourceKey} has no record`);
  return { ...h, record };
}

/** Every copy held for a case, oldest first. */
export async function listHeld(deps: TableDeps, id: string): Promise<HeldCopy[]> {
  return (await queryCase(deps, id, HELD_PREFIX))
    .map(heldOf)
    .sort((a, b) => a.since.localeCompare(b.since) || a.sourceKey.localeCompare(b.sourceKey));
}

/** The copies that corroborate a case's published record, oldest first. */
export async function listCorroborations(deps: TableDeps, id: string): Promise<Corroboration[]> {
  return (await listHeld(deps, id)).filter((h): h is Corroboration => h.kind === 'corroboration');
}

/** The open conflicts of one case, oldest first. */
export async function caseConflicts(deps: TableDeps, id: string): Promise<Conflict[]> {
  return (await listHeld(deps, id)).filter((h): h is Conflict => h.kind === 'conflict');
}

/** One organisation's latest conflicting copy of a case, or null. */
export async function getConflict(
  deps: TableDeps,
  id: string,
  organisation: string,
): Promise<Conflict | null> {
  const own = (await queryCase(deps, id, heldCopyOrganisationPrefix(organisation)))
    .map(heldOf)
    .filter((h): h is Conflict => h.kind === 'conflict')
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return own[0] ?? null;
}

/** Open conflicts, oldest first, at most `limit` (and whether there were more). */
export async function listConflicts(
  deps: TableDeps,
  limit = 1000,
): Promise<{ conflicts: Conflict[]; more: boolean }> {
  const conflicts: Conflict[] = [];
  for await (const page of queryPages(deps.client, {
    TableName: deps.tableName,
    IndexName: GSI1.name,
    KeyConditionExpression: 'GSI1PK = :pk',
    ExpressionAttributeValues: toItem({ ':pk': OPEN_CONFLICTS_PARTITION }),
  })) {
    for (const item of page) {
      if (conflicts.length === limit) return { conflicts, more: true };
      const copy = heldOf(fromItem(item));
      if (copy.kind === 'conflict') conflicts.push(copy as Conflict);
    }
  }
  return { conflicts, more: false };
}

/**
 * Drops a held copy if it is still the content `contentHash` of that upload key: the key now holds
 * something else, or an operator settled it.
 */
export async function dropHeld(
  deps: TableDeps,
  copy: { caseId: string; organisation: string; sourceKey: string; contentHash: string },
): Promise<boolean> {
  try {
    await deps.client.send(
      new DeleteItemCommand({
        TableName: deps.tableName,
        Key: toItem({ ...heldCopyKey(copy.caseId, copy.organisation, copy.sourceKey) }),
        ConditionExpression: 'contentHash = :hash',
        ExpressionAttributeValues: toItem({ ':hash': copy.contentHash }),
      }),
    );
    return true;
  } catch (e) {
    // Gone already, or a newer upload under that key is held now: nothing of this content left.
    if (!(e instanceof ConditionalCheckFailedException)) throw e;
    return false;
  }
}

/**
 * Sorts a case's held copies against what is now published (`published`, from `source`): the
 * published upload itself is no longer held, an owner's older different copy is superseded by
 * its newer one, and every other copy is a corroboration or a conflict according to its content.
 * Idempotent, so whoever completes a change of the record runs it, as often as needed.
 */
export async function resortHeld(
  deps: TableDeps,
  id: string,
  published: Determination | null,
  source: { owner: string; sourceKey: string | null } | null,
  now: string,
): Promise<void> {
  for (const copy of await listHeld(deps, id)) {
    if (source !== null && copy.sourceKey === source.sourceKey) {
      await dropHeld(deps, copy);
      continue;
    }
    const sorted = sortCopy(copy.record, published);
    if (source !== null && copy.organisation === source.owner && sorted.kind === 'conflict') {
      await dropHeld(deps, copy);
      continue;
    }
    if (
      sorted.kind !== copy.kind ||
      JSON.stringify(sorted.differences) !== JSON.stringify(copy.differences)
    ) {
      await putHeld(deps, { ...copy, ...sorted, updatedAt: now });
    }
  }
}

async function queryCase(
  deps: TableDeps,
  id: string,
  prefix: string,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const page of queryPages(deps.client, {
    TableName: deps.tableName,
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: toItem({ ':pk': casePartition(id), ':prefix': prefix }),
    ConsistentRead: true,
  })) {
    out.push(...page.map((i) => fromItem(i)));
  }
  return out;
}
