/** Which input of a form an API problem is about, so the form can mark it while the message stands above. */
import type { UseFormReturnType } from '@mantine/form';
import { ApiError } from '../../api.js';

/** `field` of our own problems ('custom.x' → 'x'), else the first issue's path of a VALIDATION_FAILED (its first part). */
export function problemField(e: unknown): string | null {
  if (!(e instanceof ApiError)) return null;
  if (typeof e.body.field === 'string') return e.body.field;
  const first = Array.isArray(e.body.errors) ? (e.body.errors[0] as { path?: unknown } | undefined) : undefined;
  return typeof first?.path === 'string' ? first.path.split('.')[0] : null;
}

/** Marks (red, no second message) the input the problem names, when the form has it; typing in it clears the mark. */
export function markProblemField<V extends object>(form: UseFormReturnType<V>, e: unknown) {
  const field = problemField(e);
  if (field && field in form.getValues()) form.setFieldError(field, true);
}
