/**
 * The API's 400 details beside the field they name: a detail's path (`query.from`, `body.conditions.2.value`)
 * is matched against the path a form field stands for, itself or anything below it.
 */
import { ApiError, type ApiErrorDetail } from './client';

export function detailsAt(error: unknown, path: string): ApiErrorDetail[] {
  if (!(error instanceof ApiError)) return [];
  return error.details.filter((d) => d.path === path || d.path.startsWith(`${path}.`));
}

/** The details no field of the form claims (shown at the form's head). */
export function unclaimed(error: unknown, claimed: string[]): ApiErrorDetail[] {
  if (!(error instanceof ApiError)) return [];
  return error.details.filter((d) => !claimed.some((p) => d.path === p || d.path.startsWith(`${p}.`)));
}

export function FieldError({ error, path }: { error: unknown; path: string }) {
  const found = detailsAt(error, path);
  if (!found.length) return null;
  return (
    <span class="field-error" role="alert" data-path={path}>
      {found.map((d) => d.message).join('; ')}
    </span>
  );
}

/** A form's error line: the message, and each detail no field shows (nothing when the fields show them all). */
export function FormError({ error, claimed = [] }: { error: unknown; claimed?: string[] }) {
  if (!error) return null;
  const rest = unclaimed(error, claimed);
  // Every detail already shows beside its field.
  if (error instanceof ApiError && error.details.length > 0 && rest.length === 0) return null;
  const message = error instanceof ApiError ? error.message : String(error);
  return (
    <p class="form-error" role="alert">
      {message}
      {rest.length > 0 && `: ${rest.map((d) => `${d.path} ${d.message}`).join('; ')}`}
    </p>
  );
}
