import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import type { MailSettingsView } from '../../../protocol/MailSettingsView';
import type { MailFailureRow } from '../api/http';
import { json, type Call, fakeApi } from '../test/api';
import { T0 } from '../test/fixtures';
import { button, byLabel, mount, settle, type } from '../test/render';
import { MailSettings } from './MailSettings';

const stored: MailSettingsView = {
  source: 'console',
  host: 'smtp.example.com',
  port: 587,
  tls: 'starttls',
  username: 'shop',
  password_set: true,
  from_address: 'shop@example.com',
  from_name: null,
};

async function mailSection(view: MailSettingsView, answer: (call: Call) => unknown = () => undefined, failures: MailFailureRow[] = []) {
  const { api, calls } = fakeApi((call) => {
    const mine = answer(call);
    if (mine !== undefined) return mine;
    if (call.method === 'GET' && call.path === '/mail/settings') return view;
    if (call.method === 'GET' && call.path === '/mail/failures') return failures;
    return json(500, { error: 'internal', message: 'unexpected' });
  });
  const root = mount(<MailSettings api={api} />);
  await settle();
  return { root, calls };
}

const writes = (calls: Call[]) => calls.filter((c) => c.method !== 'GET');
const section = (root: HTMLElement) => root.querySelector<HTMLElement>('section[aria-labelledby="mail-title"]')!;

describe('the mail settings', () => {
  it('is a section named "Mail" that saves the relay, keeping the stored password unless told otherwise', async () => {
    const { root, calls } = await mailSection(stored, (call) =>
      call.method === 'PUT' ? { ...stored, ...(call.body as object), password_set: (call.body as { password?: string }).password !== '' } : undefined,
    );
    expect(root.querySelector('#mail-title')?.textContent).toBe('Mail');
    expect(section(root).textContent).toContain('Password: set');
    type(byLabel(root, 'Host'), 'relay.example.net');
    type(byLabel(root, 'From name'), 'Ridge Outdoor');
    act(() => button(root, 'Save mail settings').click());
    await settle();
    expect(writes(calls).map((c) => [c.method, c.path, c.body])).toEqual([
      [
        'PUT',
        '/mail/settings',
        { host: 'relay.example.net', port: 587, tls: 'starttls', username: 'shop', from_address: 'shop@example.com', from_name: 'Ridge Outdoor' },
      ],
    ]);
    expect(root.textContent).toContain('Mail settings saved.');

    type(byLabel(root, 'New password'), 'n3w-secret');
    act(() => button(root, 'Save mail settings').click());
    await settle();
    expect(writes(calls)[1]!.body).toMatchObject({ password: 'n3w-secret' });

    act(() => byLabel<HTMLInputElement>(root, 'Remove the stored password').click());
    act(() => button(root, 'Save mail settings').click());
    await settle();
    expect(writes(calls)[2]!.body).toMatchObject({ password: '' });
    expect(section(root).textContent).toContain('Password: not set');
  });

  it('follows the connection security with its usual port, and shows the server’s refusal', async () => {
    const { root, calls } = await mailSection(stored, (call) =>
      call.method === 'PUT' ? json(422, { error: 'invalid_input', message: 'from_address: not an email address' }) : undefined,
    );
    const tls = byLabel<HTMLSelectElement>(root, 'Connection security');
    act(() => {
      tls.value = 'tls';
      tls.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(byLabel<HTMLInputElement>(root, 'Port').value).toBe('465');
    act(() => button(root, 'Save mail settings').click());
    await settle();
    expect(writes(calls)[0]!.body).toMatchObject({ tls: 'tls', port: 465 });
    expect(root.querySelector('[role="alert"]')?.textContent).toBe(
      'Some of the information is not valid. (from_address: not an email address)',
    );
  });

  it('is read-only with an explanation when the settings come from the settings file', async () => {
    const { root } = await mailSection({ ...stored, source: 'config', password_set: false });
    expect(section(root).textContent).toContain('These settings come from the settings file ([server.mail]) and can only be changed there.');
    const relay = root.querySelector<HTMLFieldSetElement>('form[aria-label="SMTP server"] fieldset')!;
    expect(relay.disabled).toBe(true);
    expect(byLabel<HTMLInputElement>(root, 'Host').value).toBe('smtp.example.com');
    expect(section(root).textContent).toContain('Password: not set');
    expect([...root.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Save mail settings');
    // The test email still works: it checks the file's settings.
    expect(button(root, 'Send a test email').disabled).toBe(false);
  });

  it('sends a test email and shows why it failed in the server’s words', async () => {
    let fail = true;
    const { root, calls } = await mailSection(stored, (call) => {
      if (call.path !== '/mail/test') return undefined;
      return fail
        ? json(502, { error: 'unavailable', message: 'smtp.example.com:587: connection refused' })
        : { sent_to: 'me@example.com' };
    });
    type(byLabel(root, 'Send the test to'), ' me@example.com ');
    act(() => button(root, 'Send a test email').click());
    await settle();
    expect(writes(calls).map((c) => [c.path, c.body])).toEqual([['/mail/test', { to: 'me@example.com' }]]);
    expect(root.querySelector('[role="alert"]')?.textContent).toBe(
      'The test email was not sent: smtp.example.com:587: connection refused',
    );

    fail = false;
    act(() => button(root, 'Send a test email').click());
    await settle();
    expect(root.querySelector('[role="alert"]')).toBeNull();
    expect(root.textContent).toContain('Test email sent to me@example.com.');
  });

  it('lists failed deliveries with everything in them as text', async () => {
    const failures: MailFailureRow[] = [
      {
        id: 'm1',
        site_id: 'site-1',
        kind: 'offline',
        to: 'shop@example.com',
        subject: 'New message from <img src=x onerror=alert(1)>',
        attempts: 3,
        last_error: '550 <b>mailbox</b> unavailable',
        last_attempt_at: T0,
        next_attempt_at: T0 + 60_000,
      },
      {
        id: 'm2',
        site_id: null,
        kind: 'transcript',
        to: 'ann@example.com',
        subject: 'Your chat',
        attempts: 8,
        last_error: 'timed out',
        last_attempt_at: T0,
        next_attempt_at: null,
      },
    ];
    const { root } = await mailSection(stored, () => undefined, failures);
    const rows = [...root.querySelectorAll('tr[data-mail-id]')];
    expect(rows.map((r) => r.getAttribute('data-mail-id'))).toEqual(['m1', 'm2']);
    const cell = (row: Element, field: string) => row.querySelector(`[data-field="${field}"]`)?.textContent;
    expect(cell(rows[0]!, 'kind')).toBe('Offline message');
    expect(cell(rows[0]!, 'to')).toBe('shop@example.com');
    expect(cell(rows[0]!, 'subject')).toBe('New message from <img src=x onerror=alert(1)>');
    expect(cell(rows[0]!, 'attempts')).toBe('3');
    expect(cell(rows[0]!, 'error')).toBe('550 <b>mailbox</b> unavailable');
    expect(root.querySelector('tbody img, tbody b')).toBeNull();
    expect(cell(rows[0]!, 'time')).toContain('Next try');
    expect(cell(rows[1]!, 'kind')).toBe('Transcript');
    expect(cell(rows[1]!, 'time')).toContain('Given up');
  });
});
