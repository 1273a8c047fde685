import type { MailSettingsUpdate } from '../../../protocol/MailSettingsUpdate';
import type { MailSettingsView } from '../../../protocol/MailSettingsView';
import type { SmtpTls } from '../../../protocol/SmtpTls';

export interface MailForm {
  readonly host: string;
  readonly port: string;
  readonly tls: SmtpTls;
  readonly username: string;
  /** A new password; empty keeps the stored one. */
  readonly password: string;
  /** Remove the stored password (wins over a new one). */
  readonly removePassword: boolean;
  readonly fromAddress: string;
  readonly fromName: string;
}

/** The usual port for each kind of connection, filled in when the port is still another kind's default. */
export const DEFAULT_PORTS: Record<SmtpTls, number> = { none: 25, starttls: 587, tls: 465 };

export function mailForm(view: MailSettingsView): MailForm {
  return {
    host: view.host,
    port: String(view.port),
    tls: view.tls,
    username: view.username ?? '',
    password: '',
    removePassword: false,
    fromAddress: view.from_address,
    fromName: view.from_name ?? '',
  };
}

export type MailProblem = 'host' | 'port' | 'from_address';

/**
 * The PUT body: `password` absent keeps the stored one, `""` removes it, a value replaces it.
 * Empty optional fields are left out.
 */
export function mailUpdate(form: MailForm): { ok: true; update: MailSettingsUpdate } | { ok: false; problem: MailProblem } {
  const host = form.host.trim();
  if (!host) return { ok: false, problem: 'host' };
  const port = Number(form.port.trim());
  if (!/^\d+$/.test(form.port.trim()) || port < 1 || port > 65535) return { ok: false, problem: 'port' };
  const from_address = form.fromAddress.trim();
  if (!from_address) return { ok: false, problem: 'from_address' };
  const update: MailSettingsUpdate = { host, port, tls: form.tls, from_address };
  const username = form.username.trim();
  if (username) update.username = username;
  if (form.removePassword) update.password = '';
  else if (form.password !== '') update.password = form.password;
  const fromName = form.fromName.trim();
  if (fromName) update.from_name = fromName;
  return { ok: true, update };
}
