import type { AgentStatus } from '../../../protocol/AgentStatus';

export const DEFAULT_AWAY_MINUTES = 10;
export const MAX_AWAY_MINUTES = 240;

/**
 * Auto-away across every console tab of this browser. Input anywhere counts as
 * presence; after `timeoutMs` without any, an online operator is set away. Only an
 * away the console set itself is undone by new input: a chosen away stays.
 */
export interface AwayState {
  readonly lastInput: number;
  /** The current away was set by the console (this tab or another). */
  readonly autoAway: boolean;
}

export type AwayStep = { readonly state: AwayState; readonly set: AgentStatus | null };

export const startAway = (now: number): AwayState => ({ lastInput: now, autoAway: false });

/** Input here or in another tab at `at`. */
export function onInput(s: AwayState, at: number, status: AgentStatus): AwayStep {
  const state = { lastInput: Math.max(s.lastInput, at), autoAway: false };
  return { state, set: s.autoAway && status === 'away' ? 'online' : null };
}

/** Time passes; `timeoutMs` of 0 or less turns auto-away off. */
export function onTick(s: AwayState, now: number, status: AgentStatus, timeoutMs: number): AwayStep {
  if (timeoutMs <= 0 || s.autoAway || status !== 'online' || now - s.lastInput < timeoutMs) return { state: s, set: null };
  return { state: { ...s, autoAway: true }, set: 'away' };
}

/** Another tab set away for inactivity: input here may bring the operator back. */
export const onPeerAway = (s: AwayState): AwayState => ({ ...s, autoAway: true });

/** My status as the server now tells it: anything but away means the console's away is over. */
export function onStatus(s: AwayState, status: AgentStatus): AwayState {
  return status === 'away' || !s.autoAway ? s : { ...s, autoAway: false };
}

/** The away timeout in minutes as saved, bounded; 0 means off. */
export function parseMinutes(raw: string | null): number {
  if (raw === null || raw.trim() === '') return DEFAULT_AWAY_MINUTES;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) return DEFAULT_AWAY_MINUTES;
  return Math.min(n, MAX_AWAY_MINUTES);
}
