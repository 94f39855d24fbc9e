import { describe, expect, it } from 'vitest';
import { readItems } from '../../shared/parser/items.ts';

const item = (
  requestLines: string[],
  rationale = 'The request is not medically necessary.',
): string[] => [
  ...requestLines,
  'Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.',
  'MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004, Section(s):',
  'Special Studies.',
  `Decision rationale: ${rationale}`,
];

describe('readItems', () => {
  it('skips the intro and reads request, decision, guidelines and rationale', () => {
    const items = readItems([
      'The Final Determination was based on decisions for the disputed items/services set forth below:',
      ...item(['MRI of the right knee: Upheld']),
    ]);
    expect(items).toEqual([
      {
        request: 'MRI of the right knee',
        originalRequest: null,
        authorizedPortion: null,
        decision: 'upheld',
        claimsAdministratorGuideline: 'Decision based on MTUS Knee Complaints 2004.',
        reviewerGuideline:
          'Decision based on MTUS Knee Complaints 2004, Section(s): Special Studies.',
        rationale: 'The request is not medically necessary.',
        flags: [],
      },
    ]);
  });

  it('splits the previous rationale from the next request at the sentence end', () => {
    const items = readItems([
      ...item(['X-ray of the pelvis: Upheld'], 'There were no red flags. As such, the request is'),
      'not medically necessary.',
      ...item(['Physical therapy 2-3 times a week for 6 weeks: Overturned']),
    ]);
    expect(items.map((i) => [i.request, i.decision])).toEqual([
      ['X-ray of the pelvis', 'upheld'],
      ['Physical therapy 2-3 times a week for 6 weeks', 'overturned'],
    ]);
    expect(items[0]!.rationale).toBe(
      'There were no red flags. As such, the request is not medically necessary.',
    );
  });

  it('ends a modified request that starts with a number at the previous conclusion', () => {
    // Found by the synthetic letters: ". 12" hides the sentence boundary from the lookback.
    const items = readItems([
      ...item(['MRI of the right knee: Upheld'], 'There are no red flags on examination.'),
      'The request is not medically necessary.',
      ...item([
        '12 acupuncture sessions was the original request. 6 acupuncture sessions was authorized',
        'by the Claims Administrator. The remaining IMR eligible portion of the original request,',
        '6 acupuncture sessions is: Upheld',
      ]),
    ]);
    expect(items[0]!.rationale).toBe(
      'There are no red flags on examination. The request is not medically necessary.',
    );
    expect(items[1]).toMatchObject({
      request: '6 acupuncture sessions',
      originalRequest: '12 acupuncture sessions',
      authorizedPortion: '6 acupuncture sessions',
      decision: 'upheld',
    });
  });

  it('joins a request wrapped over lines and keeps colons inside it', () => {
    const items = readItems(
      item([
        'Voltaren gel apply to affected area 4 times a day, #60 grams with 1 refill, DOS:',
        '11/11/2016: Upheld',
      ]),
    );
    expect(items[0]!.request).toBe(
      'Voltaren gel apply to affected area 4 times a day, #60 grams with 1 refill, DOS: 11/11/2016',
    );
  });

  it('reads a decision alone on the line after the request', () => {
    const items = readItems([
      ...item(['Acupuncture treatment to lumbar spine QTY: 6:', 'Overturned']),
      ...item(['Lidoderm patch, #1 box with 1 refill, DOS:', '11/11/2016:', 'Upheld']),
    ]);
    expect(items.map((i) => [i.request, i.decision])).toEqual([
      ['Acupuncture treatment to lumbar spine QTY: 6', 'overturned'],
      ['Lidoderm patch, #1 box with 1 refill, DOS: 11/11/2016', 'upheld'],
    ]);
  });

  it('reads a modified request: original, authorized and the remaining portion', () => {
    const items = readItems(
      item([
        'Chiropractic physiotherapy treatment 12 visits for the cervical spine and back followed by',
        're-examination was the original request. Chiropractic physiotherapy treatment 6 visits was',
        'authorized by the Claims Administrator. The remaining IMR eligible portion of the',
        'original request, Chiropractic physiotherapy treatment 6 visits is: Upheld',
      ]),
    );
    expect(items[0]).toMatchObject({
      request: 'Chiropractic physiotherapy treatment 6 visits',
      originalRequest:
        'Chiropractic physiotherapy treatment 12 visits for the cervical spine and back followed by re-examination',
      authorizedPortion: 'Chiropractic physiotherapy treatment 6 visits',
      decision: 'upheld',
    });
  });

  it('reads the "leaving the original request IMR eligible" wording', () => {
    const items = readItems([
      ...item(['MRI of the left hip: Upheld']),
      'Acute inpatient rehabilitation 7-10 days for left foot fracture was the original request.',
      'The Claims Administrator authorized Skilled nursing facility for 7 days, leaving the original',
      'request IMR eligible.',
      'The original request, Acute inpatient rehabilitation 7-10 days for left foot fracture is:',
      'Overturned',
      'Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.',
      'MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.',
      'Decision rationale: The request is medically necessary.',
    ]);
    expect(items[1]).toMatchObject({
      request: 'Acute inpatient rehabilitation 7-10 days for left foot fracture',
      originalRequest: 'Acute inpatient rehabilitation 7-10 days for left foot fracture',
      authorizedPortion: 'Skilled nursing facility for 7 days',
      decision: 'overturned',
    });
  });

  it('flags missing labels instead of inventing them', () => {
    const items = readItems([
      'Gym membership: Upheld',
      'Decision rationale: It is not medically necessary.',
    ]);
    expect(items[0]!.flags).toEqual([
      'missing-claims-administrator-guideline',
      'missing-reviewer-guideline',
    ]);
    expect(items[0]!.claimsAdministratorGuideline).toBeNull();
  });

  it('flags an item whose decision line is missing', () => {
    const items = readItems(item(['Gym membership']));
    expect(items[0]!.decision).toBeNull();
    expect(items[0]!.flags).toContain('decision-missing');
  });
});

describe('readItems decision spellings', () => {
  it('reads a decision in capitals', () => {
    const items = readItems([
      'MRI of the right knee: UPHELD',
      'Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.',
      'MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.',
      'Decision rationale: The request is not medically necessary.',
    ]);
    expect(items.map((i) => [i.request, i.decision])).toEqual([
      ['MRI of the right knee', 'upheld'],
    ]);
  });
});

describe('readItems with an unterminated rationale', () => {
  it('starts the next request after a conclusion that lost its full stop', () => {
    const items = readItems([
      'X-ray of the pelvis: Upheld',
      'Claims Administrator guideline: Decision based on MTUS Hip 2004.',
      'MAXIMUS guideline: Decision based on MTUS Hip 2004.',
      'Decision rationale: There were no red flags. As such, the request is not medically',
      'necessary',
      'MRI of the right knee without',
      'contrast: Overturned',
      'Claims Administrator guideline: Decision based on MTUS Knee Complaints 2004.',
      'MAXIMUS guideline: Decision based on MTUS Knee Complaints 2004.',
      'Decision rationale: The request is medically necessary.',
    ]);
    expect(items.map((i) => i.request)).toEqual([
      'X-ray of the pelvis',
      'MRI of the right knee without contrast',
    ]);
    expect(items[0]!.rationale).toBe(
      'There were no red flags. As such, the request is not medically necessary',
    );
  });
});
