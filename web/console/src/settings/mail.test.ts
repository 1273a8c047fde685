import { describe, expect, it } from 'vitest';
import type { MailSettingsView } from '../../../protocol/MailSettingsView';
import { mailForm, mailUpdate } from './mail';

const view: MailSettingsView = {
  source: 'console',
  host: 'smtp.example.com',
  port: 587,
  tls: 'starttls',
  username: 'shop',
  password_set: true,
  from_address: 'shop@example.com',
  from_name: 'Ridge Outdoor',
};

describe('the mail settings body', () => {
  it('leaves the password out to keep it, sends "" to remove it, and a new one to replace it', () => {
    const form = mailForm(view);
    const base = { host: 'smtp.example.com', port: 587, tls: 'starttls', username: 'shop', from_address: 'shop@example.com', from_name: 'Ridge Outdoor' };
    const kept = mailUpdate(form);
    expect(kept).toEqual({ ok: true, update: base });
    expect(kept.ok && 'password' in kept.update).toBe(false);
    expect(mailUpdate({ ...form, removePassword: true, password: 'ignored' })).toEqual({ ok: true, update: { ...base, password: '' } });
    expect(mailUpdate({ ...form, password: ' s3cret ' })).toEqual({ ok: true, update: { ...base, password: ' s3cret ' } });
  });

  it('trims, leaves out empty optional fields and checks the port', () => {
    const form = { ...mailForm(view), host: ' mail.example.net ', port: '465', tls: 'tls' as const, username: ' ', fromName: '' };
    expect(mailUpdate(form)).toEqual({
      ok: true,
      update: { host: 'mail.example.net', port: 465, tls: 'tls', from_address: 'shop@example.com' },
    });
    expect(mailUpdate({ ...form, host: '' })).toEqual({ ok: false, problem: 'host' });
    expect(mailUpdate({ ...form, port: '0' })).toEqual({ ok: false, problem: 'port' });
    expect(mailUpdate({ ...form, port: '2.5' })).toEqual({ ok: false, problem: 'port' });
    expect(mailUpdate({ ...form, port: '70000' })).toEqual({ ok: false, problem: 'port' });
    expect(mailUpdate({ ...form, fromAddress: ' ' })).toEqual({ ok: false, problem: 'from_address' });
  });
});
