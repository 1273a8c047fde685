import { act } from 'preact/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { panel as en } from '../src/i18n/en';
import { mount } from '../src/panel/index';
import { buildPrintView, transcriptHtml, transcriptOf, transcriptText } from '../src/panel/transcript';
import { CONV, event, FakeConnection, view, welcome } from './fixtures';

const MARKUP = '<img src=x onerror=alert(1)> & <script>alert(2)</script> "quoted"';

let conn: FakeConnection;
let root: ShadowRoot;

const $ = <T extends Element = HTMLElement>(selector: string) => root.querySelector<T>(selector)!;
const deliver = (...frames: Parameters<FakeConnection['deliver']>[0][]) =>
  act(() => frames.forEach((frame) => conn.deliver(frame)));
const click = (element: HTMLElement) => act(() => element.click());

function button(name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent) === name);
  if (!found) throw new Error(`no button "${name}"`);
  return found;
}

function labelled(name: string): HTMLInputElement {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent === name);
  if (!label) throw new Error(`no label "${name}"`);
  return root.getElementById(label.htmlFor) as HTMLInputElement;
}

const CHAT = [
  event(1, { author: { kind: 'visitor' }, body: { kind: 'message', text: MARKUP } }),
  event(2, { body: { kind: 'joined' } }),
  event(3, { body: { kind: 'message', text: `Hi! ${MARKUP}` } }),
  event(4, { author: { kind: 'system' }, body: { kind: 'closed' } }),
];

beforeEach(() => {
  conn = new FakeConnection();
  const host = document.createElement('div');
  document.body.append(host);
  root = host.attachShadow({ mode: 'open' });
  const launcher = document.createElement('button');
  root.append(launcher);
  act(() => {
    mount({ root, connection: conn, site: 'pk_test', base: 'https://chat.example', launcher, open: vi.fn(), close: vi.fn(), emit: vi.fn() });
  });
  deliver(welcome({ conversation: view(4) }));
  deliver({ type: 'history', conversation_id: CONV, events: CHAT.slice(0, 3), last_seq: 3 });
  conn.take();
});

describe('transcript tools', () => {
  it('are there during the chat, and highlighted once it has ended', () => {
    for (const name of ['Email transcript', 'Print transcript', 'Download transcript']) expect(button(name)).toBeTruthy();
    expect($('.tr').classList.contains('hi')).toBe(false);
    deliver({ type: 'event', event: CHAT[3]! });
    expect($('.tr').classList.contains('hi')).toBe(true);
    expect($('.tr').textContent).toContain('Chat ended. Keep a copy:');
  });

  it('are not there before the conversation has anything in it', () => {
    deliver(welcome({ visitor_id: 'v-2', conversation: null }));
    expect(root.querySelector('.tr')).toBeNull();
  });

  it('stay with the offline form after the chat has ended', () => {
    deliver({ type: 'event', event: CHAT[3]! }, { type: 'status', operators_online: false });
    expect(root.querySelector('form.of')).not.toBeNull();
    expect(button('Print transcript')).toBeTruthy();
  });

  it('email the transcript to the address the visitor gives, prefilled when known', () => {
    conn.said = [{ type: 'language', lang: 'en' }, { type: 'identify', email: 'anna@example.com' }];
    click(button('Email transcript'));
    const field = labelled('Send the transcript to');
    expect(field.value).toBe('anna@example.com');
    expect(root.activeElement).toBe(field);
    act(() => {
      field.value = 'not an address';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    click(button('Send transcript'));
    expect(conn.take('email_transcript')).toEqual([]);
    expect($('#sk-transcript-err').textContent).toBe('Please enter an email address like name@example.com.');
    act(() => {
      field.value = ' ben@example.com ';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    click(button('Send transcript'));
    expect(conn.take('email_transcript')).toEqual([{ type: 'email_transcript', conversation_id: CONV, email: 'ben@example.com' }]);
    deliver({ type: 'transcript_queued', conversation_id: CONV });
    expect($('.tq').textContent).toBe('The transcript is on its way to ben@example.com.');
    expect(root.querySelector('#sk-transcript-to')).toBeNull();
    expect(root.activeElement).toBe(button('Email transcript'));
  });

  it('say why the transcript mail was refused', () => {
    click(button('Email transcript'));
    act(() => {
      const field = labelled('Send the transcript to');
      field.value = 'ben@example.com';
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    click(button('Send transcript'));
    deliver({ type: 'error', code: 'rate_limited', message: 'slow down' });
    expect($('#sk-transcript-err').textContent).toBe('You are sending messages too quickly. Please wait a moment.');
    // The form's refusal, not the chat's.
    expect($('.err').textContent).toBe('');
  });

  it('print a clean view, its title naming the site, markup as text', () => {
    const doc = document.implementation.createHTMLDocument('');
    const view = { document: doc, opener: {}, focus: vi.fn(), print: vi.fn() };
    const open = vi.spyOn(window, 'open').mockReturnValue(view as unknown as Window);
    click(button('Print transcript'));
    expect(open).toHaveBeenCalledOnce();
    expect(view.print).toHaveBeenCalledOnce();
    expect(view.opener).toBeNull();
    expect(doc.title).toBe('Transcript — Acme Shop');
    expect([...doc.querySelectorAll('.text')].map((p) => p.textContent)).toEqual([MARKUP, 'Anna joined the chat', `Hi! ${MARKUP}`]);
    expect([...doc.querySelectorAll('.meta b')].map((b) => b.textContent)).toEqual(['You', 'Anna']);
    expect(doc.querySelectorAll('img, script, button, input, textarea').length).toBe(0);
  });

  it('download as text and as HTML from a Blob URL', async () => {
    const blobs: Blob[] = [];
    vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return `blob:https://shop.example/${blobs.length}`;
    });
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    click(button('Download transcript'));
    click(button('Text file (.txt)'));
    click(button('Web page (.html)'));
    expect(names).toEqual([expect.stringMatching(/^transcript-\d{4}-\d{2}-\d{2}\.txt$/), expect.stringMatching(/\.html$/)]);
    expect(blobs.map((blob) => blob.type)).toEqual(['text/plain;charset=utf-8', 'text/html;charset=utf-8']);
    const [plain, html] = await Promise.all(blobs.map((blob) => blob.text()));
    expect(plain).toContain(`You\n${MARKUP}`);
    expect(plain).toContain(`Anna\nHi! ${MARKUP}`);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;alert(2)&lt;/script&gt; &quot;quoted&quot;');
  });
});

describe('transcript documents', () => {
  const transcript = transcriptOf(CHAT, '<b>Acme</b>', en, 'en');

  it('title the transcript with the site’s name', () => {
    expect(transcript.title).toBe('Transcript — <b>Acme</b>');
  });

  it('write plain text with every line', () => {
    const text = transcriptText(transcript);
    expect(text.startsWith('Transcript — <b>Acme</b>\n\n')).toBe(true);
    expect(text).toContain('Anna joined the chat');
    expect(text).toContain('Chat ended');
  });

  it('write HTML that is self-contained, script-free and escaped', () => {
    const html = transcriptHtml(transcript);
    const doc = new DOMParser().parseFromString(html, 'text/html');
    expect(doc.title).toBe('Transcript — <b>Acme</b>');
    expect(doc.querySelectorAll('script, img, link, iframe, [src], [href]').length).toBe(0);
    expect(doc.querySelector('h1 b')).toBeNull();
    expect(doc.querySelector('meta[http-equiv=Content-Security-Policy]')!.getAttribute('content')).toContain("default-src 'none'");
    expect([...doc.querySelectorAll('.text')].map((p) => p.textContent)).toEqual([
      MARKUP,
      'Anna joined the chat',
      `Hi! ${MARKUP}`,
      'Chat ended',
    ]);
    expect(html).not.toMatch(/<(img|script)/);
  });

  it('build the print view with text nodes only', () => {
    const doc = document.implementation.createHTMLDocument('');
    buildPrintView(doc, transcript);
    expect(doc.title).toBe('Transcript — <b>Acme</b>');
    expect(doc.documentElement.lang).toBe('en');
    expect(doc.querySelector('h1')!.textContent).toBe('Transcript — <b>Acme</b>');
    expect(doc.querySelectorAll('h1 b, img, script').length).toBe(0);
    expect(doc.querySelector('style')!.textContent).toContain('@media print');
    expect(doc.querySelectorAll('li')).toHaveLength(4);
  });
});
