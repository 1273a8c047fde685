import type { Client } from '../../../protocol/Client';
import type { Identity } from '../../../protocol/Identity';
import type { InvitationView } from '../../../protocol/InvitationView';
import type { VisitorId } from '../../../protocol/VisitorId';
import { t } from '../i18n/i18n';
import { idTail } from '../visitors/list';

/** The visitor's given name, or "Visitor 3f9a" like the server's own labels. */
export function visitorLabel(id: VisitorId, identity?: Identity | null): string {
  return identity?.name?.trim() || t('visitors.anonymous', { tail: idTail(id) });
}

/** The visitor told us something about themselves, verified or not. */
export const hasClaims = (identity: Identity) => Boolean(identity.name || identity.email || identity.phone);

export function clientText(client: Client): string {
  return [client.browser, client.os, t(`device.${client.device}`)].filter(Boolean).join(' · ');
}

export function invitationState(invitation: InvitationView): string {
  return t(`invitation.${invitation.state}`);
}

export function invitationSource(invitation: InvitationView): string {
  if (invitation.rule_id) return t('invitation.by_rule');
  return invitation.agent ? t('invitation.by', { name: invitation.agent.name }) : '';
}

/**
 * A JSON value as one line of text: strings as they are, anything else as JSON.
 * Only ever rendered as a text node.
 */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}
