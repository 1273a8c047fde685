import type { AgentStatus } from '../../../protocol/AgentStatus';
import { t } from '../i18n/i18n';

/**
 * A presence dot with its status in words for screen readers (and on hover); only the
 * dot when `decorative`, for places that already say the status in words next to it.
 */
export function Presence({ status, decorative }: { status: AgentStatus; decorative?: boolean }) {
  if (decorative) return <span class={`presence presence--${status}`} aria-hidden="true" />;
  const label = t(`status.${status}`);
  return (
    <span class={`presence presence--${status}`} title={label}>
      <span class="sr-only">{label}</span>
    </span>
  );
}
