import { BadRequestError } from '../../shared/errors.ts';

/** The BadRequestError `f` throws (anything else it throws is rethrown; none fails the test). */
export function refusal(f: () => unknown): BadRequestError {
  try {
    f();
  } catch (e) {
    if (e instanceof BadRequestError) return e;
    throw e;
  }
  throw new Error('expected a BadRequestError');
}
