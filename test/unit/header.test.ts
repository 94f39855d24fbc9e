import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../shared/parser/header.ts';

const expected = {
  caseNumber: 'CM16-0213037',
  priority: 'Standard',
  dates: {
    assigned: '2016-11-09',
    decision: '2016-12-09',
    injury: '2016-10-13',
    urDenial: '2016-11-03',
    applicationReceived: '2016-11-04',
  },
};

describe('parseHeader', () => {
  it('reads labels and values on the same lines (pdf.js order)', () => {
    const text = [
      'Case Number: CM16-0213037',
      'Date Assigned: 11/09/2016 Date of Injury: 10/13/2016',
      'Decision Date: 12/09/2016 UR Denial Date: 11/03/2016',
      'Priority: Standard Application',
      'Received:',
      '11/04/2016',
    ].join('\n');
    expect(parseHeader(text)).toMatchObject({ ...expected, unreadable: [] });
  });

  it('reads labels first and values after them, in separate runs (pdftotext order)', () => {
    const text = [
      'Case Number:',
      'Date Assigned:',
      'Decision Date:',
      'Priority:',
      'CM16-0213037',
      '11/09/2016',
      '12/09/2016',
      'Standard',
      'Date of Injury:',
      'UR Denial Date:',
      'Application',
      'Received:',
      '10/13/2016',
      '11/03/2016',
      '11/04/2016',
    ].join('\n');
    expect(parseHeader(text)).toMatchObject({ ...expected, unreadable: [] });
  });

  it('reads the two-column layout with the wrapped label after its value', () => {
    const text = [
      'Case Number:          CM16-0213037',
      'Date Assigned:        11/09/2016                      Date of Injury:      10/13/2016',
      'Decision Date:        12/09/2016                      UR Denial Date:      11/03/2016',
      'Priority:             Standard                        Application          11/04/2016',
      '                                                      Received:',
    ].join('\n');
    expect(parseHeader(text)).toMatchObject(expected);
  });

  it('reports a date that is not a real date instead of guessing', () => {
    const header = parseHeader('Case Number: CM16-0213037\nDate Assigned: 13/45/2016');
    expect(header.dates.assigned).toBeNull();
    expect(header.unreadable).toEqual(['assigned']);
  });

  it('reads Expedited priority', () => {
    expect(parseHeader('Priority: Expedited').priority).toBe('Expedited');
  });
});
