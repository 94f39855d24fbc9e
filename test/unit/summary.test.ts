import { describe, expect, it } from 'vitest';
import { readSummary } from '../../shared/parser/summary.ts';

describe('readSummary', () => {
  it.each([
    ['The injured worker is a 48 year old male who sustained an injury.', 48, 'male'],
    ['The patient is a 37-year-old female who has submitted a claim.', 37, 'female'],
    ['The claimant is now 40-year-old right-handed woman.', 40, 'female'],
    ['Injured worker is a male with date of injury 7/8/2002.', null, 'male'],
    ['This 40 year-old patient sustained an injury on 2/28/13.', 40, null],
  ])('reads age and sex from %j', (summary, age, sex) => {
    expect(readSummary(summary)).toMatchObject({ age, sex });
  });

  it.each([
    ['The underlying date of injury in this case is 08/07/2012.', '2012-08-07'],
    ['Injured worker is a male with date of injury 7/8/2002. Per report', '2002-07-08'],
    ['associated with an industrial injury date of August 10, 2010.Medical records', '2010-08-10'],
    ['This 40 year-old patient sustained an injury on 2/28/13 while employed.', '2013-02-28'],
    ['who sustained an industrial injury on 10-13-16. The injured worker', '2016-10-13'],
    ['The patient is a 44 year old female with the injury date of 02/03/14.', '2014-02-03'],
  ])('reads the date of injury from %j', (summary, iso) => {
    expect(readSummary(summary).injuryDate).toBe(iso);
  });

  it.each([
    ['The utilization review under appeal is dated 10/03/2014.', '2014-10-03'],
    ['Utilization review from March 11, 2014 denied the request.', '2014-03-11'],
    ['The requests were non-certified on 10/8/13 citing guidelines.', '2013-10-08'],
    ['The utilization review determination being challenged is dated on 12/05/14.', '2014-12-05'],
    ['The original utilization review (11-22-16) denied a request.', '2016-11-22'],
    [
      'On 11-3-16, utilization review determined the MRI was not medically necessary.',
      '2016-11-03',
    ],
  ])('reads the utilization review date from %j', (summary, iso) => {
    expect(readSummary(summary).urDate).toBe(iso);
  });

  it('reports a stated date that is not a real date', () => {
    const facts = readSummary('The date of injury in this case is 02/30/2012.');
    expect(facts.injuryDate).toBeNull();
    expect(facts.unreadableDates).toEqual(['injury']);
  });

  it('reads diagnoses as a list, including numbered ones', () => {
    expect(
      readSummary(
        'treated for the diagnoses of right shoulder contusion, neck strain and right arm paresthesias. Then',
      ).diagnoses,
    ).toEqual(['right shoulder contusion', 'neck strain', 'right arm paresthesias']);
    expect(
      readSummary('The lists of diagnoses are: 1) C/S discopathy. 2) L/S radiculopathy. Per report')
        .diagnoses,
    ).toEqual(['C/S discopathy', 'L/S radiculopathy']);
  });
});

describe('readSummary diagnoses as letters word them', () => {
  it.each([
    [
      'The injured worker is undergoing treatments for low back pain, lumbar radiculopathy and muscle weakness. Then',
      ['low back pain', 'lumbar radiculopathy', 'muscle weakness'],
    ],
    [
      'She is undergoing treatment for: right shoulder tendinitis. Then',
      ['right shoulder tendinitis'],
    ],
    [
      'The diagnoses are documented as strain of muscle, fascia and tendon at neck level and cervicalgia. Then',
      ['strain of muscle, fascia and tendon at neck level', 'cervicalgia'],
    ],
    [
      'He was diagnosed with contusion of face, scalp and neck and acute cervical sprain. Then',
      ['contusion of face, scalp and neck', 'acute cervical sprain'],
    ],
    [
      'Diagnoses include left buttock and left thigh sciatic pain, right knee contusion and injury. Then',
      ['left buttock and left thigh sciatic pain', 'right knee contusion and injury'],
    ],
    [
      'Diagnoses include cervical sprain and strain, lumbar strain and left knee sprain.Treatment',
      ['cervical sprain and strain', 'lumbar strain', 'left knee sprain'],
    ],
    [
      'The diagnosis is "herniated disc of lumbar spine, sprain of ligaments of lumbar spine, subsequent encounter". Then',
      [
        'herniated disc of lumbar spine',
        'sprain of ligaments of lumbar spine, subsequent encounter',
      ],
    ],
  ])('%s', (summary, diagnoses) => {
    expect(readSummary(summary).diagnoses).toEqual(diagnoses);
  });
});
