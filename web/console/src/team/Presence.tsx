import type { AgentStatus } from '../../../protocol/AgentStatus';
import { t } from '../i18n/i18n';

/** A presence dot with its status in words for screen readers (and on hover). */
export function Presence({ status }: { status: AgentStatus }) {
  const label = t(`status.${status}`);
  return (
    <span class={`presence presence--${status}`} title={label}>
      <span class="sr-only">{label}</span>
    </span>
  );
}
