import { describe, expect, it } from 'vitest';
import type { Me } from '../../../protocol/Me';
import { ME, summary } from '../test/fixtures';
import { actionsFor, canTake, placeIn } from './permissions';

const operator: Me = { ...ME, role: 'operator', departments: ['dep-sales'] };
const supervisor: Me = { ...ME, role: 'supervisor' };
const admin: Me = { ...ME, role: 'admin' };
const self = { id: ME.id, name: ME.name };
const bo = { id: 'staff-bo', name: 'Bo' };

const waiting = summary('w');
const held = summary('h', { status: 'active', assignee: self });
const joined = summary('j', { status: 'active', assignee: bo, participants: [self] });
const others = summary('o', { status: 'active', assignee: bo });
const closed = summary('c', { status: 'closed', assignee: self });

const shown = (a: ReturnType<typeof actionsFor>) =>
  Object.entries(a)
    .filter(([, on]) => on)
    .map(([name]) => name)
    .sort();

describe('my place in a conversation', () => {
  it('tells holder, participant and outsider apart', () => {
    expect(placeIn(held, ME)).toBe('holder');
    expect(placeIn(joined, ME)).toBe('participant');
    expect(placeIn(others, ME)).toBe('outside');
  });
});

describe('actions per role', () => {
  it('lets the holder write, whisper, note, close and transfer', () => {
    expect(shown(actionsFor(held, operator))).toEqual(['close', 'note', 'reply', 'transfer', 'whisper']);
  });

  it('lets a joined participant write and leave, but not close or transfer', () => {
    expect(shown(actionsFor(joined, operator))).toEqual(['leave', 'note', 'reply', 'whisper']);
  });

  it('leaves an operator only watching a colleague’s chat', () => {
    expect(shown(actionsFor(others, operator))).toEqual(['monitor']);
  });

  it('gives a supervisor join, take over, whisper, close and transfer on a colleague’s chat', () => {
    for (const boss of [supervisor, admin]) {
      expect(shown(actionsFor(others, boss))).toEqual(['close', 'join', 'monitor', 'takeOver', 'transfer', 'whisper']);
    }
  });

  it('lets a supervisor who joined take over', () => {
    expect(actionsFor(joined, supervisor).takeOver).toBe(true);
    expect(actionsFor(held, supervisor).takeOver).toBe(false);
  });

  it('offers Take on a waiting chat and nothing to write', () => {
    const a = actionsFor(waiting, operator);
    expect(a.take).toBe(true);
    expect(a.reply).toBe(false);
    expect(a.monitor).toBe(true);
    expect(a.transfer).toBe(false);
    expect(actionsFor(waiting, supervisor).transfer).toBe(true);
  });

  it('offers nothing on a closed chat', () => {
    expect(shown(actionsFor(closed, supervisor))).toEqual([]);
  });
});

describe('who may take a waiting chat', () => {
  const sales = summary('s', { department: { id: 'dep-sales', name: 'Sales' } });
  const support = summary('t', { department: { id: 'dep-support', name: 'Support' } });

  it('is a member of its department, anyone for the site’s queue, and any supervisor', () => {
    expect(canTake(sales, operator)).toBe(true);
    expect(canTake(support, operator)).toBe(false);
    expect(canTake(waiting, operator)).toBe(true);
    expect(canTake(support, supervisor)).toBe(true);
    expect(canTake(held, supervisor)).toBe(false);
  });
});
