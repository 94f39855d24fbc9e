// shared/parser: reading a letter (PDF, text or scan) into a Determination.
// Its public entry: code outside the folder imports from here (tests may reach any module).

export { extractText } from './extract-text.ts';
export { PARSE_LIMITS } from './limits.ts';
export type { OcrProgress } from './ocr.ts';
export { parseLetter, parseLetterText } from './parse-letter.ts';
export { ParseSandbox, parseLetterSandboxed } from './parse-sandbox.ts';
export { SYNTHETIC_MARKER } from './synthetic.ts';
