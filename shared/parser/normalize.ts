const pageFooterRe = /^(?:-\s*)?Page\s+\d{1,3}(?:\s+of\s+\d{1,3})?(?:\s*-)?$/i;

/**
 * The letter as trimmed, non-empty lines. PDF-to-text tools differ in blank lines, trailing
 * spaces, page breaks and odd spaces; removing them here lets every later step assume one shape.
 */
export function toLines(text: string): string[] {
  const out: string[] = [];
  const normalised = /[^\x20-\x7e\n\r\t]/.test(text)
    ? text
        .normalize('NFKC')
        // Non-breaking and other Unicode spaces become plain spaces; soft hyphens disappear.
        .replace(/[\u00a0\u2000-\u200b\u202f\u205f\u3000]/g, ' ')
        .replace(/\u00ad/g, '')
        .replace(/[\u2018\u2019]/g, "'")
        .replace(/[\u201c\u201d]/g, '"')
        .replace(/[\u2013\u2014]/g, '-')
    : text;
  for (const raw of normalised.split(/\r\n|[\r\n\f\v]/)) {
    const line = raw.replace(/[ \t]+/g, ' ').trim();
    // Page furniture ("Page 2 of 5") would otherwise land inside a request or rationale.
    if (line !== '' && !pageFooterRe.test(line)) out.push(line);
  }
  return out;
}

/** Joins wrapped lines into one paragraph, mending words a line break hyphenated. */
export function joinLines(lines: readonly string[]): string {
  let out = '';
  for (const line of lines) {
    if (out === '') out = line;
    // "electro-\ndiagnostic" style breaks are rare in these letters; keep the hyphen but drop the gap.
    else if (out.endsWith('-') && !out.endsWith(' -')) out += line;
    else out += ' ' + line;
  }
  return out;
}
