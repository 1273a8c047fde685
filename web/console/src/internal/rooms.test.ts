import { describe, expect, it } from 'vitest';
import type { InternalMessage } from '../../../protocol/InternalMessage';
import { markSeen, mergeMessages, parseSeen, roomFor, roomKey, roomOf, unreadByRoom, unreadIn } from './rooms';

const msg = (id: string, at: number, author = 'bo', room: InternalMessage['room'] = { kind: 'team' }): InternalMessage => ({
  id,
  room,
  author: { id: author, name: author },
  text: id,
  at,
  client_msg_id: `c-${id}`,
});

describe('rooms', () => {
  it('keys rooms and reads a direct room from my side', () => {
    expect(roomKey({ kind: 'team' })).toBe('team');
    expect(roomOf(roomKey({ kind: 'direct', with: 'bo' }))).toEqual({ kind: 'direct', with: 'bo' });
    expect(roomFor(msg('1', 1, 'bo', { kind: 'direct', with: 'anna' }), 'anna')).toBe('direct:bo');
    expect(roomFor(msg('1', 1, 'anna', { kind: 'direct', with: 'bo' }), 'anna')).toBe('direct:bo');
  });

  it('merges pages and echoes once, oldest first', () => {
    const merged = mergeMessages([msg('b', 2), msg('c', 3)], [msg('a', 1), msg('b', 2)]);
    expect(merged.map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('unread', () => {
  it('counts messages from others after the last one I saw', () => {
    const list = [msg('1', 10), msg('2', 20, 'anna'), msg('3', 30), msg('4', 40)];
    expect(unreadIn(list, 0, 'anna')).toBe(3);
    expect(unreadIn(list, 30, 'anna')).toBe(1);
    expect(unreadIn(list, 40, 'anna')).toBe(0);
  });

  it('counts per room and leaves read rooms out', () => {
    const rooms = new Map([
      ['team', [msg('1', 10), msg('2', 20)]],
      ['direct:bo', [msg('3', 30, 'bo', { kind: 'direct', with: 'anna' })]],
      ['direct:cy', [msg('4', 40, 'anna', { kind: 'direct', with: 'cy' })]],
    ]);
    expect([...unreadByRoom(rooms, { team: 10 }, 'anna')]).toEqual([
      ['team', 1],
      ['direct:bo', 1],
    ]);
  });

  it('moves the seen mark only forward and reads it back safely', () => {
    const seen = markSeen({ team: 50 }, 'team', [msg('1', 10)]);
    expect(seen).toEqual({ team: 50 });
    expect(markSeen(seen, 'direct:bo', [msg('1', 10), msg('2', 60)])).toEqual({ team: 50, 'direct:bo': 60 });
    expect(parseSeen('{"team":5,"x":"y"}')).toEqual({ team: 5 });
    expect(parseSeen('[1]')).toEqual({});
    expect(parseSeen('nope')).toEqual({});
  });
});
