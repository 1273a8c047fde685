import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Canned } from '../../../protocol/Canned';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Me } from '../../../protocol/Me';
import type { TeamMember } from '../../../protocol/TeamMember';
import type { Api } from '../api/http';
import { ME, T0, summary, textEvent } from '../test/fixtures';
import { button, byLabel, mount, type } from '../test/render';
import { mineActive, storeHarness } from '../test/store';
import { ConversationPane } from '../ui/ConversationPane';
import { MessageList } from '../ui/MessageList';
import { TransferNotices } from './TransferNotices';

const MARKUP = '<img src=x onerror=alert(1)>';
const bo = { id: 'staff-bo', name: 'Bo' };
const sue = { id: 'staff-sue', name: 'Sue' };

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

function showing(c: ConversationSummary, me: Me = ME, api?: Partial<Api>, team: TeamMember[] = []) {
  const h = storeHarness();
  h.receive({ type: 'welcome', me, conversations: [c], team, departments: [] });
  h.store.open(c.id);
  h.receive({ type: 'history', conversation_id: c.id, events: [textEvent(c.id, 1, 'Hi')], last_seq: 1 });
  const root = mount(<ConversationPane store={h.store} api={api as Api | undefined} />);
  return { h, root };
}

const hasButton = (root: HTMLElement, name: string) => [...root.querySelectorAll('button')].some((b) => b.textContent === name);

function press(target: HTMLElement, key: string) {
  act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  });
}

async function settle() {
  await act(async () => {
    await vi.runAllTimersAsync();
  });
}

describe('monitor mode', () => {
  const colleagues = summary('c', { status: 'active', assignee: bo });
  const supervisor: Me = { ...ME, role: 'supervisor' };

  it('gives a supervisor Join, Take over and Whisper instead of a reply box', () => {
    const { h, root } = showing(colleagues, supervisor);
    expect(root.querySelector('textarea')).toBeNull();
    expect(root.textContent).toContain('The visitor does not see you.');
    act(() => button(root, 'Join').click());
    expect(h.take('join')).toEqual([{ type: 'join', conversation_id: 'c' }]);
    // Joined: the reply box opens, and Take over stays at hand.
    act(() => h.receive({ type: 'conversation', conversation: { ...colleagues, participants: [{ id: ME.id, name: ME.name }] } }));
    expect(byLabel<HTMLTextAreaElement>(root, 'Message').disabled).toBe(false);
    act(() => button(root, 'Take over').click());
    expect(h.take('take_over')).toEqual([{ type: 'take_over', conversation_id: 'c' }]);
  });

  it('lets a supervisor whisper without joining, and nothing reaches the visitor', () => {
    const { h, root } = showing(colleagues, supervisor);
    act(() => button(root, 'Whisper').click());
    expect(() => byLabel(root, 'Message')).toThrow();
    const box = byLabel<HTMLTextAreaElement>(root, 'Whisper');
    type(box, 'Offer the discount');
    expect(h.take('typing')).toEqual([]);
    press(box, 'Enter');
    expect(h.take('whisper')).toEqual([{ type: 'whisper', conversation_id: 'c', client_msg_id: 'msg-1', text: 'Offer the discount' }]);
    expect(h.take('send')).toEqual([]);
  });
});

describe('a chat I joined', () => {
  it('names the others in the chat literally and lets me leave', () => {
    const c = summary('j', { status: 'active', assignee: { id: 'staff-x', name: MARKUP }, participants: [{ id: ME.id, name: ME.name }, sue] });
    const { h, root } = showing(c);
    expect(root.querySelector('.pane__participants')?.textContent).toBe('Also in the chat: Sue');
    expect(root.textContent).toContain(`You joined ${MARKUP}’s chat`);
    expect(root.querySelector('img')).toBeNull();
    expect(hasButton(root, 'Close chat')).toBe(false);
    act(() => button(root, 'Leave chat').click());
    expect(h.take('leave')).toEqual([{ type: 'leave', conversation_id: 'j' }]);
  });
});

describe('composer modes', () => {
  it('switches between reply, whisper and note, each with its own frame', () => {
    const { h, root } = showing(mineActive('a'));
    act(() => button(root, 'Note').click());
    const box = byLabel<HTMLTextAreaElement>(root, 'Note');
    expect(root.querySelector('.composer--note')).not.toBeNull();
    type(box, 'Asked for a refund');
    press(box, 'Enter');
    expect(h.take('note').map((f) => f.text)).toEqual(['Asked for a refund']);
    act(() => button(root, 'Reply').click());
    type(byLabel<HTMLTextAreaElement>(root, 'Message'), 'Hello');
    press(byLabel(root, 'Message'), 'Enter');
    expect(h.take('send').map((f) => f.text)).toEqual(['Hello']);
  });
});

describe('presence in the conversation', () => {
  it('shows who else is viewing or typing, and the visitor’s unsent text as plain text', () => {
    const { h, root } = showing(mineActive('a'));
    act(() => {
      h.receive({ type: 'viewers', conversation_id: 'a', staff: [sue] });
      h.receive({ type: 'typing', conversation_id: 'a', side: 'agent', active: true, agent: sue });
      h.receive({ type: 'draft', conversation_id: 'a', text: MARKUP });
    });
    expect(root.querySelector('.pane__viewers')?.textContent).toBe('Sue is also viewing');
    expect(root.querySelector('.pane__typing')?.textContent).toBe('Sue is typing…');
    expect(root.querySelector('.pane__peek')?.textContent).toBe(`Typing: ${MARKUP}`);
    expect(root.querySelector('img')).toBeNull();
  });
});

describe('canned answers in the composer', () => {
  const answers: Canned[] = [
    {
      id: 'k1',
      site_id: 'site-1',
      owner: ME.id,
      updated_at: 0,
      shortcut: 'hello',
      title: 'Greeting',
      text: 'Hello {visitor.name}, {operator.name} here',
      variants: { ru: 'Здравствуйте, {visitor.name}' },
      shared: true,
    },
    { id: 'k2', site_id: 'site-1', owner: ME.id, updated_at: 0, shortcut: 'help', title: 'Help', text: '<b>Help</b> at {site.name}', variants: {}, shared: true },
  ];
  const api = () => ({
    call: vi.fn(async () => answers) as unknown as Api['call'],
    sites: vi.fn(async () => [{ id: 'site-1', name: 'Tea <Shop>' }]) as unknown as Api['sites'],
    visitor: vi.fn(async () => ({
      identity: { name: 'Kim', email: null },
      visits: [],
      live: null,
    })) as unknown as Api['visitor'],
  });

  it('opens on a leading slash, filters, picks with the keyboard and fills the text', async () => {
    const fake = api();
    const { h, root } = showing(mineActive('a'), ME, fake);
    const box = byLabel<HTMLTextAreaElement>(root, 'Message');
    type(box, '/he');
    await settle();
    expect(fake.call).toHaveBeenCalledWith('GET', '/canned?site_id=site-1');
    const options = () => [...root.querySelectorAll('[role="option"]')];
    expect(options().map((o) => o.querySelector('.canned__shortcut')?.textContent)).toEqual(['/hello', '/help']);
    press(box, 'ArrowDown');
    expect(options()[1]?.getAttribute('aria-selected')).toBe('true');
    press(box, 'Enter');
    await settle();
    expect(h.take('send')).toEqual([]);
    expect(byLabel<HTMLTextAreaElement>(root, 'Message').value).toBe('<b>Help</b> at Tea <Shop>');
    expect(root.querySelector('[role="listbox"]')).toBeNull();
    expect(root.querySelector('b')).toBeNull();
  });

  it('asks again each time the list opens, so answers edited meanwhile show', async () => {
    const fake = api();
    let served: Canned[] = answers;
    fake.call = vi.fn(async () => served) as unknown as Api['call'];
    const { root } = showing(mineActive('a'), ME, fake);
    const box = byLabel<HTMLTextAreaElement>(root, 'Message');
    const shortcuts = () => [...root.querySelectorAll('[role="option"] .canned__shortcut')].map((o) => o.textContent);
    type(box, '/he');
    await settle();
    expect(shortcuts()).toEqual(['/hello', '/help']);
    type(box, '');
    await settle();
    expect(root.querySelector('[role="listbox"]')).toBeNull();
    served = [{ ...answers[0]!, shortcut: 'hey' }];
    type(box, '/he');
    await settle();
    expect(fake.call).toHaveBeenCalledTimes(2);
    expect(shortcuts()).toEqual(['/hey']);
  });

  it('uses the visitor’s language and names', async () => {
    const fake = api();
    fake.visitor = vi.fn(async () => ({ identity: { name: 'Ivan', email: null }, visits: [], live: { lang: 'ru-RU' } })) as unknown as Api['visitor'];
    const { root } = showing(mineActive('a'), ME, fake);
    const box = byLabel<HTMLTextAreaElement>(root, 'Message');
    type(box, '/hello');
    await settle();
    press(box, 'Enter');
    await settle();
    expect(byLabel<HTMLTextAreaElement>(root, 'Message').value).toBe('Здравствуйте, Ivan');
  });
});

describe('transfer', () => {
  const team: TeamMember[] = [
    { id: 'staff-bo', name: 'Bo', role: 'operator', status: 'online', departments: [], max_chats: 4, active_chats: 1, photo: null },
    { id: 'staff-zed', name: 'Zed', role: 'operator', status: 'offline', departments: [], max_chats: 4, active_chats: 0, photo: null },
  ];

  it('offers colleagues with their load, keeps offline ones disabled, and sends the note', () => {
    const { h, root } = showing(mineActive('a'), ME, undefined, team);
    act(() => button(root, 'Transfer').click());
    const dialog = root.querySelector<HTMLElement>('[role="dialog"]')!;
    const radios = [...dialog.querySelectorAll<HTMLInputElement>('input[type="radio"]')];
    expect(radios.map((r) => r.disabled)).toEqual([false, true]);
    expect(dialog.textContent).toContain('1 of 4 chats');
    act(() => radios[0]!.click());
    type(byLabel<HTMLTextAreaElement>(dialog, 'Note for whoever takes it (optional)'), 'VIP');
    act(() => [...dialog.querySelectorAll('button')].find((b) => b.textContent === 'Transfer')!.click());
    expect(h.take('transfer')).toEqual([{ type: 'transfer', conversation_id: 'a', to: { kind: 'operator', id: 'staff-bo' }, note: 'VIP' }]);
    expect(root.querySelector('[role="dialog"]')).toBeNull();
  });

  it('shows an offer to me with its note and countdown until I answer', () => {
    const h = storeHarness();
    h.welcome([summary('a', { status: 'active', assignee: bo })]);
    const root = mount(<TransferNotices store={h.store} />);
    act(() => h.receive({ type: 'transfer_offer', conversation_id: 'a', from: bo, note: MARKUP, expires_at: T0 + 65_000 }));
    expect(root.textContent).toContain('Bo offers you the chat with Visitor a');
    expect(root.querySelector('.offer__note')?.textContent).toBe(`Note: ${MARKUP}`);
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('.offer__time')?.textContent).toBe('Answer within 1:05');
    act(() => {
      vi.advanceTimersByTime(5_000);
    });
    expect(root.querySelector('.offer__time')?.textContent).toBe('Answer within 1:00');
    act(() => button(root, 'Decline').click());
    expect(h.take('answer_transfer')).toEqual([{ type: 'answer_transfer', conversation_id: 'a', accept: false }]);
    expect(root.querySelector('.offer')).toBeNull();
  });

  it('tells the offerer how it ended', () => {
    const h = storeHarness();
    h.welcome([mineActive('a')]);
    const root = mount(<TransferNotices store={h.store} />);
    act(() => h.receive({ type: 'transfer_ended', conversation_id: 'a', to: bo, outcome: 'timed_out' }));
    expect(root.textContent).toContain('Bo did not answer in time; the chat stays with you.');
  });
});

describe('tags', () => {
  it('adds and removes chips through the API and shows what the server saved', async () => {
    const c = mineActive('a', { tags: ['vip'] });
    const call = vi.fn(async (_m: string, _p: string, body: { tags: string[] }) => ({ ...c, tags: body.tags }));
    const { h, root } = showing(c, ME, { call: call as unknown as Api['call'], sites: vi.fn(async () => []), visitor: vi.fn(async () => { throw new Error('no'); }) });
    type(byLabel<HTMLInputElement>(root, 'New tag'), 'Refund');
    await act(async () => {
      button(root, 'Add').click();
      await vi.runAllTimersAsync();
    });
    expect(call).toHaveBeenCalledWith('PUT', '/conversations/a/tags', { tags: ['vip', 'refund'] });
    expect(h.store.conversations.value.get('a')?.tags).toEqual(['vip', 'refund']);
    await act(async () => {
      root.querySelector<HTMLButtonElement>('[aria-label="Remove tag vip"]')!.click();
      await vi.runAllTimersAsync();
    });
    expect(call).toHaveBeenLastCalledWith('PUT', '/conversations/a/tags', { tags: ['refund'] });
  });
});

describe('staff-only messages', () => {
  it('renders whispers and notes apart from messages, marked for staff, with markup literal', () => {
    const h = storeHarness();
    const c = mineActive('a', { receipts: { agent_delivered: 3, visitor_delivered: 3, agent_read: 3, visitor_read: 2 } });
    h.welcome([c]);
    h.store.open('a');
    h.receive({
      type: 'history',
      conversation_id: 'a',
      events: [
        textEvent('a', 1, 'Hello', { kind: 'agent', id: ME.id, name: ME.name }),
        { conversation_id: 'a', seq: 2, at: T0, author: { kind: 'agent', ...bo }, body: { kind: 'whisper', text: MARKUP } },
        { conversation_id: 'a', seq: 3, at: T0, author: { kind: 'agent', ...bo }, body: { kind: 'note', text: '<script>x</script>' } },
        { conversation_id: 'a', seq: 4, at: T0, author: { kind: 'agent', ...bo }, body: { kind: 'transferred', to: { id: ME.id, name: ME.name } } },
      ],
      last_seq: 4,
    });
    const root = mount(<MessageList store={h.store} conversation={h.store.conversations.value.get('a')!} />);
    const whisper = root.querySelector('.msg--whisper')!;
    expect(whisper.querySelector('.msg__text')?.textContent).toBe(MARKUP);
    expect(whisper.textContent).toContain('Only staff see this');
    expect(root.querySelector('.msg--note .msg__text')?.textContent).toBe('<script>x</script>');
    expect(root.querySelector('img, script')).toBeNull();
    expect(root.querySelector('.system')?.textContent).toContain('Bo passed the chat to Anna');
    expect(root.querySelector('.msg[data-kind="message"] .msg__state')?.textContent).toBe('Read');
  });
});
