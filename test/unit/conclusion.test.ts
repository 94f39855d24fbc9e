import { describe, expect, it } from 'vitest';
import { rationaleConclusion } from '../../shared/parser/conclusion.ts';

describe('rationaleConclusion', () => {
  it.each([
    [
      'Imaging is not supported. The request is not medically necessary.',
      'not medically necessary',
    ],
    ['Function improved. Therefore, the request is medically necessary.', 'medically necessary'],
    [
      'The request for diazepam prescription is not-medically necessary.',
      'not medically necessary',
    ],
    [
      'Without indication, the request for MRI cannot be considered medically necessary per the guidelines.',
      'not medically necessary',
    ],
    ['This request is considered medically necessary at this time.', 'medically necessary'],
    ['Medical necessity for the evaluation has not been established.', 'not medically necessary'],
    [
      'The left distal radius repair is medically necessary and appropriate.',
      'medically necessary',
    ],
    ['This request does not appear medically necessary.', 'not medically necessary'],
    ['The findings were reviewed.', 'none'],
  ])('%s', (rationale, conclusion) => {
    expect(rationaleConclusion(rationale)).toBe(conclusion);
  });

  it('ignores the opioid tapering advice that follows the conclusion', () => {
    const rationale =
      'There is no opioid risk assessment. The request is not medically necessary. This decision ' +
      'addresses the medical necessity of opioids as they have been prescribed to this patient. ' +
      'This medical necessity decision should not be interpreted as a recommendation to stop ' +
      'long-term opioids abruptly. The treating physician and the patient are advised to consult ' +
      'the MTUS Opioids Treatment Guidelines ("Tapering opioids"), and if necessary, other ' +
      'relevant guidelines, regarding the most appropriate method for weaning and terminating opioids.';
    expect(rationaleConclusion(rationale)).toBe('not medically necessary');
  });
});
