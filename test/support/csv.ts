// A strict RFC 4180 reader for tests: the export writes CSV, and this reads it back without
// sharing any code with the writer.

/** Records of a CSV text (CRLF line ends; quoted fields may hold commas, quotes and newlines). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  let atFieldStart = true;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        if (i < text.length && text[i] !== ',' && text[i] !== '\r') {
          throw new Error(`character after a closing quote at ${i}`);
        }
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (!atFieldStart) throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      atFieldStart = false;
      i++;
    } else if (ch === ',') {
      record.push(field);
      field = '';
      atFieldStart = true;
      i++;
    } else if (ch === '\r') {
      if (text[i + 1] !== '\n') throw new Error(`CR without LF at ${i}`);
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      atFieldStart = true;
      i += 2;
    } else if (ch === '\n') {
      throw new Error(`bare LF outside quotes at ${i}`);
    } else {
      field += ch;
      atFieldStart = false;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (!atFieldStart || record.length > 0) throw new Error('last record has no CRLF');
  return records;
}

/** A CSV text as objects keyed by its header row. */
export function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined) throw new Error('no header row');
  return rows.map((r) => {
    if (r.length !== header.length)
      throw new Error(`a row has ${r.length} fields, not ${header.length}`);
    return Object.fromEntries(header.map((h, i) => [h, r[i]!]));
  });
}
