// shared/receipts: the receipts written beside each upload, and their daily roll-up.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { listOrganisations, listReceiptObjects, readReceipt, readReceipts } from './bucket.ts';
export { dayBefore, daySchema, rollupDays } from './daily.ts';
export type { DailyRollup } from './daily.ts';
export {
  RECEIPTS_PREFIX,
  organisationReceiptsPrefix,
  receiptFor,
  receiptJson,
  receiptKey,
} from './receipt.ts';
export type { Receipt } from './receipt.ts';
export { writeReceipt } from './write.ts';
export type { ObjectWriter } from './write.ts';
