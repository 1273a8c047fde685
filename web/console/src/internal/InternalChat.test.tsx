import { signal } from '@preact/signals';
import { act } from 'preact/test-utils';
import { describe, expect, it } from 'vitest';
import type { AgentClientFrame } from '../../../protocol/AgentClientFrame';
import type { InternalMessage } from '../../../protocol/InternalMessage';
import type { TeamMember } from '../../../protocol/TeamMember';
import { button, mount, type } from '../test/render';
import { InternalChat } from './chat';
import { InternalChatButton, InternalChatPanel } from './InternalChat';

const member = (id: string, name: string, status: TeamMember['status'] = 'online'): TeamMember => ({
  id,
  name,
  role: 'operator',
  status,
  departments: [],
  max_chats: 4,
  active_chats: 0,
  photo: null,
});

const team = [member('anna', 'Anna'), member('bo', '<img src=x onerror=alert(1)>Bo', 'away')];

const message = (id: string, at: number, text: string, author = 'bo', room: InternalMessage['room'] = { kind: 'team' }): InternalMessage => ({
  id,
  room,
  author: { id: author, name: author === 'bo' ? team[1]!.name : 'Anna' },
  text,
  at,
  client_msg_id: `c-${id}`,
});

function harness(stored: Record<string, string> = {}) {
  const sent: AgentClientFrame[] = [];
  const storage = {
    getItem: (k: string) => stored[k] ?? null,
    setItem: (k: string, v: string) => {
      stored[k] = v;
    },
  };
  let n = 0;
  const chat = new InternalChat({ me: 'anna', send: (f) => sent.push(f) > 0, newClientMsgId: () => `m-${++n}`, storage });
  return { chat, sent, stored };
}

const welcome = (chat: InternalChat) =>
  chat.receive({
    type: 'welcome',
    me: { id: 'anna', name: 'Anna', email: 'a@x', role: 'operator', status: 'online', lang: 'en', photo: null, departments: [], max_chats: 4 },
    conversations: [],
    team,
    departments: [],
  });

describe('internal chat', () => {
  it('syncs the team room and each direct room on welcome', () => {
    const { chat, sent } = harness();
    welcome(chat);
    expect(sent).toEqual([
      { type: 'internal_sync', room: { kind: 'team' } },
      { type: 'internal_sync', room: { kind: 'direct', with: 'bo' } },
    ]);
  });

  it('counts unread per room and in total, and remembers what I saw per member of staff', () => {
    const { chat, stored } = harness({ 'shopkeep.internal_seen.anna': JSON.stringify({ team: 10 }) });
    chat.receive({ type: 'internal_history', room: { kind: 'team' }, messages: [message('1', 10, 'old'), message('2', 20, 'new')], more: false });
    chat.receive({ type: 'internal', message: message('3', 30, 'direct', 'bo', { kind: 'direct', with: 'anna' }) });
    chat.receive({ type: 'internal', message: message('4', 40, 'mine', 'anna') });
    expect([...chat.unread.value]).toEqual([
      ['team', 1],
      ['direct:bo', 1],
    ]);
    expect(chat.total.value).toBe(2);

    chat.setOpen(true);
    expect(chat.unread.value.has('team')).toBe(false);
    expect(JSON.parse(stored['shopkeep.internal_seen.anna']!)).toEqual({ team: 40 });
    chat.select('direct:bo');
    expect(chat.total.value).toBe(0);
  });

  it('sends to the open room and matches the echo by client id', () => {
    const { chat, sent } = harness();
    chat.select('direct:bo');
    sent.length = 0;
    expect(chat.send('  hello  ')).toBe(true);
    expect(sent).toEqual([{ type: 'internal_send', room: { kind: 'direct', with: 'bo' }, client_msg_id: 'm-1', text: 'hello' }]);
    expect(chat.pending.value).toHaveLength(1);
    chat.receive({ type: 'internal', message: { ...message('9', 90, 'hello', 'anna', { kind: 'direct', with: 'bo' }), client_msg_id: 'm-1' } });
    expect(chat.pending.value).toEqual([]);
    expect(chat.rooms.value.get('direct:bo')?.map((m) => m.text)).toEqual(['hello']);
  });

  it('pages back from the oldest message it has', () => {
    const { chat, sent } = harness();
    chat.receive({ type: 'internal_history', room: { kind: 'team' }, messages: [message('5', 50, 'x')], more: true });
    chat.loadEarlier('team');
    expect(sent).toEqual([{ type: 'internal_sync', room: { kind: 'team' }, before: '5' }]);
  });

  it('shows names and texts literally, never as markup, with presence and badges', () => {
    const { chat } = harness();
    chat.receive({ type: 'internal_history', room: { kind: 'team' }, messages: [message('1', 10, '<b>bold</b> & <script>x</script>')], more: true });
    const root = mount(
      <>
        <InternalChatButton chat={chat} />
        <InternalChatPanel chat={chat} me="anna" team={signal(team)} />
      </>,
    );
    expect(root.textContent).toContain('Team chat');
    expect(root.querySelector('.badge')?.textContent).toBe('1');
    act(() => button(root, 'Team chat1').click());
    expect(root.querySelector('.ichat__text')?.textContent).toBe('<b>bold</b> & <script>x</script>');
    expect(root.querySelector('.ichat b, .ichat script, .ichat img')).toBeNull();
    const rooms = [...root.querySelectorAll('.ichat__room-name')].map((e) => e.textContent);
    expect(rooms).toEqual(['Whole team', '<img src=x onerror=alert(1)>Bo']);
    expect(root.querySelector('.ichat__room .presence--away')).not.toBeNull();
    expect(root.textContent).toContain('Load earlier messages');
    expect(chat.total.value).toBe(0);

    type(root.querySelector<HTMLTextAreaElement>('#ichat-input')!, 'hi');
    act(() => button(root, 'Send').click());
    expect(chat.pending.value.map((p) => p.text)).toEqual(['hi']);
  });

  it('follows the team while open', () => {
    const { chat } = harness();
    const members = signal(team);
    const root = mount(<InternalChatPanel chat={chat} me="anna" team={members} />);
    act(() => chat.setOpen(true));
    act(() => {
      members.value = [...team, { ...team[0]!, id: 'cy', name: 'Cy' }];
    });
    expect([...root.querySelectorAll('.ichat__room-name')].map((e) => e.textContent)).toContain('Cy');
  });
});
