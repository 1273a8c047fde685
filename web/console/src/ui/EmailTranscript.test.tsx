import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import { json, type Call, fakeApi } from '../test/api';
import { profile, summary, textEvent } from '../test/fixtures';
import { button, byLabel, mount, settle, type } from '../test/render';
import { mineActive, storeHarness } from '../test/store';
import { ConversationPane } from './ConversationPane';

const identity = (email: string | null) => ({ name: 'Ann', email, phone: null, external_id: null, verified: false, contact_id: null });

async function showing(conversation: ConversationSummary, email: string | null, answer: (call: Call) => unknown = () => undefined) {
  const h = storeHarness();
  h.welcome([conversation]);
  h.store.open(conversation.id);
  h.receive({ type: 'history', conversation_id: conversation.id, events: [textEvent(conversation.id, 1, 'Hi')], last_seq: 1 });
  const { api, calls } = fakeApi((call) => {
    const mine = answer(call);
    if (mine !== undefined) return mine;
    if (call.method === 'GET' && call.path.startsWith('/visitors/')) return profile(conversation.visitor_id, { identity: identity(email) });
    return json(500, { error: 'internal', message: 'unexpected' });
  });
  const root = mount(<ConversationPane store={h.store} api={api} />);
  await settle();
  return { h, root, calls };
}

const head = (root: HTMLElement) => root.querySelector<HTMLElement>('.pane__head')!;
const writes = (calls: Call[]) => calls.filter((c) => c.method !== 'GET');

describe('an offline conversation', () => {
  it('is marked in the header and says where the reply goes', async () => {
    const { root } = await showing(mineActive('o', { offline: true }), 'ann@example.com');
    expect([...head(root).querySelectorAll('.flag')].map((f) => f.textContent)).toEqual(['Offline message']);
    const note = root.querySelector('.pane__offline')!;
    expect(note.textContent).toBe('Your reply is emailed to ann@example.com.');
    // Above the composer.
    expect(note.nextElementSibling?.classList.contains('composer')).toBe(true);
  });

  it('says the reply is emailed even when the address is not known here', async () => {
    const { root } = await showing(summary('o', { offline: true }), null);
    expect(root.querySelector('.pane__offline')?.textContent).toBe('Your reply is emailed to the visitor.');
  });

  it('has no note in an ordinary chat, and a missed chat is marked "Missed"', async () => {
    const { root } = await showing(summary('m', { status: 'closed', missed: true }), null);
    expect(root.querySelector('.pane__offline')).toBeNull();
    expect([...head(root).querySelectorAll('.flag')].map((f) => f.textContent)).toEqual(['Missed']);
  });
});

describe('Email transcript', () => {
  it('opens a form with the visitor’s email and posts the address', async () => {
    const { root, calls } = await showing(mineActive('t'), 'ann@example.com', (call) =>
      call.method === 'POST' ? json(202, { to: (call.body as { to?: string }).to ?? 'ann@example.com' }) : undefined,
    );
    const open = button(root, 'Email transcript');
    expect(open.getAttribute('aria-expanded')).toBe('false');
    act(() => open.click());
    await settle();
    expect(open.getAttribute('aria-expanded')).toBe('true');
    const to = byLabel<HTMLInputElement>(root, 'Send the transcript to');
    expect(to.value).toBe('ann@example.com');
    expect(document.activeElement).toBe(to);

    type(to, ' orders@shop.example ');
    act(() => button(root, 'Send transcript').click());
    await settle();
    expect(writes(calls).map((c) => [c.method, c.path, c.body])).toEqual([
      ['POST', '/conversations/t/transcript', { to: 'orders@shop.example' }],
    ]);
    expect(root.querySelector('#transcript-form')).toBeNull();
    expect(root.querySelector('[role="status"].transcript__status')?.textContent).toBe('The transcript is on its way to orders@shop.example.');
  });

  it('sends the prefilled default, leaves the address to the server when emptied, and shows a refusal', async () => {
    const { root, calls } = await showing(summary('u'), null, (call) =>
      call.method === 'POST' ? json(422, { error: 'invalid_input', message: 'the visitor left no email address' }) : undefined,
    );
    act(() => button(root, 'Email transcript').click());
    await settle();
    expect(byLabel<HTMLInputElement>(root, 'Send the transcript to').value).toBe('');
    expect(root.textContent).toContain('Leave empty to use the visitor’s own address.');
    act(() => button(root, 'Send transcript').click());
    await settle();
    expect(writes(calls).map((c) => c.body)).toEqual([{}]);
    expect(root.querySelector('#transcript-form [role="alert"]')?.textContent).toBe(
      'The transcript was not sent: Some of the information is not valid. (the visitor left no email address)',
    );
    act(() => button(root, 'Cancel').click());
    expect(root.querySelector('#transcript-form')).toBeNull();
    expect(document.activeElement).toBe(button(root, 'Email transcript'));
  });

  it('posts the visitor’s own address when left as prefilled', async () => {
    const { root, calls } = await showing(mineActive('p'), 'ann@example.com', (call) =>
      call.method === 'POST' ? json(202, { to: 'ann@example.com' }) : undefined,
    );
    act(() => button(root, 'Email transcript').click());
    await settle();
    act(() => button(root, 'Send transcript').click());
    await settle();
    expect(writes(calls).map((c) => c.body)).toEqual([{ to: 'ann@example.com' }]);
  });
});
