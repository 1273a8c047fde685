import { ApiError } from '../api/http';
import { errorText } from '../i18n/i18n';

/**
 * A refused request as the operator reads it: our wording for the code, then the
 * server's own explanation (which names the field at fault) when it adds something.
 */
export function apiErrorText(e: unknown): string {
  if (!(e instanceof ApiError)) return errorText('internal');
  const ours = errorText(e.code);
  const theirs = e.message.trim();
  return theirs && theirs !== e.code && e.code !== 'network' ? `${ours} (${theirs})` : ours;
}
