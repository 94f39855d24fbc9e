// shared/record: the Determination record and its vocabulary (flags, reasons).
// Its public entry: code outside the folder imports from here (tests may reach any module).

export {
  CASE_NUMBER,
  decisionSchema,
  determinationSchema,
  outcomeOf,
  outcomeSchema,
} from './determination.ts';
export type {
  Citation,
  CitationSource,
  Decision,
  Determination,
  Issue,
  Layout,
  TextSource,
} from './determination.ts';
export { DATE_FIELDS, ITEM_FLAGS, LETTER_FLAGS } from './flags.ts';
export type { DateField, ItemFlag, LetterFlag } from './flags.ts';
