import { act } from 'preact/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Availability } from '../../protocol/Availability';
import type { Panel } from '../src/contract';
import { panel as en } from '../src/i18n/en';
import { panel as ja } from '../src/i18n/ja';
import { panel as ru } from '../src/i18n/ru';
import { closedText, validate } from '../src/panel/offline';
import { mount } from '../src/panel/index';
import { CONV, event, FakeConnection, view, welcome } from './fixtures';

const MARKUP = '<img src=x onerror=alert(1)> & <b>bold</b>';

let conn: FakeConnection;
let root: ShadowRoot;
let panel: Panel;

const $ = <T extends Element = HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
const deliver = (...frames: Parameters<FakeConnection['deliver']>[0][]) =>
  act(() => frames.forEach((frame) => conn.deliver(frame)));
const text = (selector: string) => $(selector).textContent?.replace(/\s/g, ' ');

/** The control whose label (for=) reads `name`. */
function labelled<T extends HTMLElement = HTMLInputElement>(name: string): T {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent === name);
  if (!label) throw new Error(`no label "${name}"`);
  return root.getElementById(label.htmlFor) as T;
}

/** The button whose accessible name (aria-label, else text) is `name`. */
function button(name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name);
  if (!found) throw new Error(`no button "${name}"`);
  return found;
}

function fill(name: string, value: string) {
  const field = labelled<HTMLInputElement | HTMLTextAreaElement>(name);
  act(() => {
    field.value = value;
    field.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

const click = (element: HTMLElement) => act(() => element.click());
const submit = () => click(button('Send message'));

function start(site = 'pk_test') {
  conn = new FakeConnection();
  const host = document.createElement('div');
  document.body.append(host);
  root = host.attachShadow({ mode: 'open' });
  const launcher = document.createElement('button');
  root.append(launcher);
  act(() => {
    panel = mount({ root, connection: conn, site, base: 'https://chat.example', launcher, open: vi.fn(), close: vi.fn(), emit: vi.fn() });
  });
}

const OPEN: Availability = { open: true, back_at: null, time_zone: null, consent_text: null };

function fillForm() {
  fill('Your name', 'Anna');
  fill('Email', 'anna@example.com');
  fill('Message', 'Do you ship to Oslo?');
}

beforeEach(() => start());

describe('offline form', () => {
  it('shows instead of the composer when nobody is online and there is no chat', () => {
    deliver(welcome({ operators_online: false, availability: OPEN }));
    expect(root.querySelector('form.of')).not.toBeNull();
    expect(root.querySelector('#sk-text')).toBeNull();
    expect(text('.of h3')).toBe('We’re offline right now');
    for (const name of ['Your name', 'Email', 'Phone (optional)', 'Message']) expect(labelled(name)).toBeTruthy();
    expect(button('Send message').type).toBe('submit');
  });

  it('shows when the shop is closed by its hours, even with operators online', () => {
    deliver(welcome({ operators_online: true, availability: { ...OPEN, open: false } }));
    expect(root.querySelector('form.of')).not.toBeNull();
    expect(text('.h p')).toBe('Leave a message');
  });

  it('does not show while the shop is open and someone is online', () => {
    deliver(welcome({ operators_online: true, availability: OPEN }));
    expect(root.querySelector('form.of')).toBeNull();
    expect(root.querySelector('#sk-text')).not.toBeNull();
  });

  it('knows an offline message from a chat on a new tab, where nothing was remembered', () => {
    // The tab that sent it is gone: only the server's view says it was an offline message.
    sessionStorage.clear();
    deliver(welcome({ operators_online: false, conversation: { ...view(1), status: 'waiting', offline: true } }));
    expect(root.querySelector('form.of')).not.toBeNull();
    // The same waiting conversation without the mark is a chat in the queue.
    start();
    deliver(welcome({ operators_online: false, conversation: { ...view(1), status: 'waiting' } }));
    expect(root.querySelector('form.of')).toBeNull();
  });

  it('leaves a chat that is going on alone, and follows opening hours as they change', () => {
    deliver(welcome({ operators_online: false, conversation: view(0) }));
    expect(root.querySelector('form.of')).toBeNull();
    deliver(welcome({ operators_online: true, availability: OPEN }));
    expect(root.querySelector('form.of')).toBeNull();
    deliver({ type: 'availability', availability: { ...OPEN, open: false } });
    expect(root.querySelector('form.of')).not.toBeNull();
    deliver({ type: 'availability', availability: OPEN });
    expect(root.querySelector('form.of')).toBeNull();
  });

  it('puts the focus on the first field when the panel opens on it', () => {
    deliver(welcome({ operators_online: false }));
    act(() => panel.show(true));
    expect(root.activeElement).toBe(labelled('Your name'));
  });

  it('prefills the name and email the page identified the visitor by', () => {
    start('pk_other');
    conn.said = [{ type: 'language', lang: 'en' }, { type: 'identify', name: 'Anna', email: 'anna@example.com' }];
    deliver(welcome({ operators_online: false }));
    expect(labelled('Your name').value).toBe('Anna');
    expect(labelled('Email').value).toBe('anna@example.com');
  });

  it('says what is wrong before sending, and sends nothing', () => {
    deliver(welcome({ operators_online: false, availability: { ...OPEN, consent_text: 'I agree' } }));
    conn.take();
    fill('Email', 'anna@example');
    submit();
    expect(conn.take('offline_message')).toEqual([]);
    const name = labelled('Your name');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(root.getElementById(name.getAttribute('aria-describedby')!)!.textContent).toBe('Please enter your name.');
    expect(root.activeElement).toBe(name);
    expect(root.getElementById('sk-email-err')!.textContent).toBe('Please enter an email address like name@example.com.');
    expect(root.getElementById('sk-message-err')!.textContent).toBe('Please write your message.');
    expect(root.getElementById('sk-consent-err')!.textContent).toBe('Please tick the box to agree.');
    // Corrected as the visitor types.
    fill('Your name', 'Anna');
    expect(name.hasAttribute('aria-invalid')).toBe(false);
  });

  it('checks lengths and the email’s shape', () => {
    const ok = { name: 'Anna', email: 'anna@example.com', phone: '', message: 'Hi', consent: false, website: '' };
    expect(validate(ok, false)).toEqual({});
    expect(validate({ ...ok, name: 'a'.repeat(101) }, false)).toEqual({ name: 'errNameLong' });
    expect(validate({ ...ok, name: 'a'.repeat(100) }, false)).toEqual({});
    expect(validate({ ...ok, message: 'a'.repeat(4001) }, false)).toEqual({ message: 'errTooLong' });
    expect(validate({ ...ok, message: '😀'.repeat(4000) }, false)).toEqual({});
    expect(validate({ ...ok, message: '  \n ' }, false)).toEqual({ message: 'errMessage' });
    expect(validate({ ...ok, phone: '1'.repeat(51) }, false)).toEqual({ phone: 'errPhone' });
    expect(validate(ok, true)).toEqual({ consent: 'errConsent' });
    for (const email of ['anna', 'anna@', '@example.com', 'an na@example.com', 'anna@example', 'a@b@example.com', 'anna@example.com\r\nBcc: x@y.z']) {
      expect(validate({ ...ok, email }, false), email).toEqual({ email: 'errEmail' });
    }
    expect(validate({ ...ok, email: `${'a'.repeat(250)}@example.com` }, false)).toEqual({ email: 'errEmail' });
  });

  it('has a trap field for bots, hidden from people', () => {
    deliver(welcome({ operators_online: false }));
    const trap = $<HTMLInputElement>('input[name=website]');
    expect(trap.tabIndex).toBe(-1);
    expect(trap.getAttribute('autocomplete')).toBe('off');
    expect(trap.closest('[aria-hidden=true]')).not.toBeNull();
    expect(trap.closest('.trap')).not.toBeNull();
  });

  it('sends the form as one offline_message frame', () => {
    deliver(welcome({ operators_online: false, availability: { ...OPEN, consent_text: 'I agree' } }));
    conn.take();
    fillForm();
    fill('Phone (optional)', ' +47 555 ');
    click(labelled('I agree'));
    submit();
    const [frame] = conn.take('offline_message');
    expect(frame).toEqual({
      type: 'offline_message',
      client_msg_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: 'Anna',
      email: 'anna@example.com',
      phone: '+47 555',
      message: 'Do you ship to Oslo?',
      consent: true,
    });
    expect(button('Send message').getAttribute('aria-disabled')).toBe('true');
    expect(text('.sub [role=status]')).toBe('Sending…');
    // Sending again while pending does nothing.
    submit();
    expect(conn.take('offline_message')).toEqual([]);
  });

  it('sends what a bot put in the trap field, for the server to drop', () => {
    deliver(welcome({ operators_online: false }));
    fillForm();
    fill('Website', 'https://spam.example');
    submit();
    expect(conn.take('offline_message')[0]!.website).toBe('https://spam.example');
  });

  it('sends the same message again after a reconnect until it is answered', () => {
    deliver(welcome({ operators_online: false }));
    fillForm();
    submit();
    const [frame] = conn.take('offline_message');
    deliver({ type: 'disconnected' }, welcome({ operators_online: false }));
    expect(conn.take('offline_message')).toEqual([frame]);
  });

  it('confirms on the ack, and keeps the confirmation on the tab’s next page', () => {
    deliver(welcome({ operators_online: false }));
    fillForm();
    submit();
    const [frame] = conn.take('offline_message');
    deliver({ type: 'offline_ack', client_msg_id: frame!.client_msg_id, conversation_id: 'c-off' });
    expect(root.querySelector('form.of')).toBeNull();
    expect(text('.done [role=status]')).toBe('Thanks! We’ll reply to anna@example.com.');
    expect(root.activeElement).toBe($('.done [role=status]'));

    // The next page of the shop, in the same tab; the server says the offline conversation is the latest.
    document.querySelectorAll('div').forEach((host) => host.remove());
    start();
    deliver(welcome({ operators_online: false, conversation: { ...view(1, 'c-off'), status: 'waiting' } }));
    expect(root.querySelector('form.of')).toBeNull();
    expect(text('.done [role=status]')).toBe('Thanks! We’ll reply to anna@example.com.');

    click(button('Send another message'));
    expect(root.querySelector('form.of')).not.toBeNull();
    expect(root.activeElement).toBe(labelled('Your name'));
    // The email given before is known now.
    expect(labelled('Email').value).toBe('anna@example.com');
  });

  it('ignores an ack for another message', () => {
    deliver(welcome({ operators_online: false }));
    fillForm();
    submit();
    deliver({ type: 'offline_ack', client_msg_id: 'someone-else', conversation_id: 'c-off' });
    expect(root.querySelector('form.of')).not.toBeNull();
  });

  it('takes an error that arrives while the form is pending as its answer', () => {
    deliver(welcome({ operators_online: false }));
    fillForm();
    submit();
    // A refusal naming another message is not the form's.
    deliver({ type: 'error', code: 'text_too_long', message: 'too long', client_msg_id: 'other' });
    expect(text('.of [role=alert]')).toBe('');
    deliver({ type: 'error', code: 'rate_limited', message: 'slow down' });
    expect(text('.of [role=alert]')).toBe('You are sending messages too quickly. Please wait a moment.');
    expect(button('Send message').getAttribute('aria-disabled')).toBe('false');
    expect(text('.sub [role=status]')).toBe('');
    // What the visitor typed is still there, to send again.
    expect(labelled('Message').value).toBe('Do you ship to Oslo?');
    submit();
    expect(conn.take('offline_message')).toHaveLength(2);
    expect(text('.of [role=alert]')).toBe('');
  });

  it('says the server cannot take offline messages yet, and tells of invalid input plainly', () => {
    deliver(welcome({ operators_online: false }));
    fillForm();
    submit();
    deliver({ type: 'error', code: 'unknown_frame', message: 'unknown frame' });
    expect(text('.of [role=alert]')).toBe('The chat is unavailable right now. Please try again later.');
    submit();
    deliver({ type: 'error', code: 'invalid_input', message: 'bad email' });
    expect(text('.of [role=alert]')).toBe('Please check your details and try again.');
  });

  it('renders markup in the consent text literally', () => {
    deliver(welcome({ operators_online: false, availability: { ...OPEN, consent_text: MARKUP } }));
    const checkbox = labelled(MARKUP);
    expect(checkbox.type).toBe('checkbox');
    expect(checkbox.required).toBe(true);
    expect(root.querySelectorAll('img, b, script').length).toBe(0);
  });

  it('offers the form to a visitor waiting in the queue, and the way back', () => {
    deliver(welcome({ operators_online: true, conversation: { ...view(1), status: 'waiting' } }));
    deliver({ type: 'history', conversation_id: CONV, events: [event(1, { author: { kind: 'visitor' } })], last_seq: 1 });
    click(button('Leave a message instead'));
    expect(root.querySelector('form.of')).not.toBeNull();
    click(button('Back to chat'));
    expect(root.querySelector('form.of')).toBeNull();
    // Once an operator has joined, the visitor is no longer in the queue.
    deliver({ type: 'event', event: event(2, { body: { kind: 'joined' } }) });
    expect(() => button('Leave a message instead')).toThrow();
  });

  it('leaves the queue for the form and confirms there', () => {
    deliver(welcome({ operators_online: true, conversation: { ...view(0), status: 'waiting' } }));
    click(button('Leave a message instead'));
    conn.take();
    fillForm();
    submit();
    const [frame] = conn.take('offline_message');
    deliver({ type: 'offline_ack', client_msg_id: frame!.client_msg_id, conversation_id: 'c-off' });
    expect(text('.done [role=status]')).toBe('Thanks! We’ll reply to anna@example.com.');
  });
});

describe('when the shop is back', () => {
  // Monday 23 November 2026, 20:00 UTC: already Tuesday 05:00 in Tokyo, still Monday 21:00 in Berlin.
  const NOW = Date.UTC(2026, 10, 23, 20);
  const closed = (back_at: number, time_zone: string): Availability => ({ open: false, back_at, time_zone, consent_text: null });
  const say = (strings: typeof en, lang: 'en' | 'ru' | 'ja', availability: Availability) =>
    closedText(strings, lang, availability, NOW).replace(/\s/g, ' ');

  it('says the time alone when it is today in the site’s time zone', () => {
    // Tuesday 00:00 UTC is 09:00 in Tokyo, the same day there.
    expect(say(en, 'en', closed(Date.UTC(2026, 10, 24, 0), 'Asia/Tokyo'))).toBe('We’re back at 9:00 AM');
    expect(say(ja, 'ja', closed(Date.UTC(2026, 10, 24, 0), 'Asia/Tokyo'))).toBe('9:00に対応を再開します');
  });

  it('says tomorrow when it is the next day there', () => {
    // The same instant is 01:00 on Tuesday in Berlin, where it is still Monday.
    expect(say(en, 'en', closed(Date.UTC(2026, 10, 24, 0), 'Europe/Berlin'))).toBe('We’re back tomorrow at 1:00 AM');
    expect(say(ru, 'ru', closed(Date.UTC(2026, 10, 24, 8), 'Europe/Berlin'))).toBe('Мы вернёмся завтра в 9:00');
  });

  it('names the weekday within a week, in the visitor’s language', () => {
    const friday = closed(Date.UTC(2026, 10, 27, 8), 'Europe/Berlin');
    expect(say(en, 'en', friday)).toBe('We’re back on Friday at 9:00 AM');
    expect(say(ru, 'ru', friday)).toBe('Мы вернёмся в пятницу в 9:00');
    expect(say(ja, 'ja', friday)).toBe('金曜日の9:00に対応を再開します');
    // Friday 08:00 UTC is 17:00 in Tokyo, where it is Tuesday now: still Friday.
    expect(say(en, 'en', closed(Date.UTC(2026, 10, 27, 8), 'Asia/Tokyo'))).toBe('We’re back on Friday at 5:00 PM');
  });

  it('names the date further ahead', () => {
    expect(say(en, 'en', closed(Date.UTC(2026, 11, 7, 8), 'Europe/Berlin'))).toBe('We’re back on December 7 at 9:00 AM');
    expect(say(ru, 'ru', closed(Date.UTC(2026, 11, 7, 8), 'Europe/Berlin'))).toBe('Мы вернёмся 7 декабря в 9:00');
  });

  it('says only that nobody is online when the time is unknown or past', () => {
    expect(say(en, 'en', { ...OPEN })).toBe('We’re offline right now');
    expect(say(en, 'en', closed(NOW - 1000, 'Europe/Berlin'))).toBe('We’re offline right now');
    expect(closedText(en, 'en', null, NOW)).toBe('We’re offline right now');
  });

  it('falls back to the visitor’s zone for a zone the browser does not know', () => {
    expect(say(en, 'en', closed(Date.UTC(2026, 10, 24, 0), 'Mars/Olympus'))).toMatch(/^We’re back (tomorrow )?at /);
  });

  it('is said above the form', () => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    deliver(welcome({ operators_online: true, availability: closed(Date.UTC(2026, 10, 27, 8), 'Europe/Berlin') }));
    expect(text('.of h3')).toBe('We’re back on Friday at 9:00 AM');
  });
});
