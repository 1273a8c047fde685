import { describe, expect, it } from 'vitest';
import type { Department } from '../../../protocol/Department';
import type { TeamMember } from '../../../protocol/TeamMember';
import { formatElapsed } from '../i18n/format';
import { departmentChoices, offerState, operatorChoices } from './transfer';

const member = (id: string, fields: Partial<TeamMember> = {}): TeamMember => ({
  id,
  name: id,
  role: 'operator',
  status: 'online',
  departments: [],
  max_chats: 3,
  active_chats: 0,
  photo: null,
  ...fields,
});

const department = (id: string, fields: Partial<Department> = {}): Department => ({
  id,
  site_id: 'site-1',
  position: 0,
  name: id,
  routing: 'least_busy',
  public: true,
  pages: [],
  notify_address: null,
  members: [],
  ...fields,
});

describe('transfer offer countdown', () => {
  it('counts whole seconds down to the deadline', () => {
    const offer = { expiresAt: 30_000 };
    expect(offerState(offer, 0)).toEqual({ secondsLeft: 30, expired: false });
    expect(offerState(offer, 29_100)).toEqual({ secondsLeft: 1, expired: false });
    expect(offerState(offer, 30_000)).toEqual({ secondsLeft: 0, expired: true });
    expect(offerState(offer, 45_000)).toEqual({ secondsLeft: 0, expired: true });
  });

  it('reads as minutes and seconds', () => {
    expect(formatElapsed(65 * 1000)).toBe('1:05');
    expect(formatElapsed(9 * 1000)).toBe('0:09');
    expect(formatElapsed(-3 * 1000)).toBe('0:00');
  });
});

describe('transfer choices', () => {
  const team = [
    member('zoe', { status: 'offline' }),
    member('me'),
    member('bo', { status: 'away' }),
    member('al', { active_chats: 3 }),
  ];

  it('lists colleagues available first and disables offline ones', () => {
    const choices = operatorChoices(team, 'me');
    expect(choices.map((c) => c.member.id)).toEqual(['al', 'bo', 'zoe']);
    expect(choices.map((c) => c.disabled)).toEqual([false, false, true]);
    expect(choices[0]!.full).toBe(true);
  });

  it('lists the site’s departments in order with their online members', () => {
    const deps = [
      department('support', { position: 2, members: ['al', 'zoe'] }),
      department('sales', { position: 1, members: ['bo', 'zoe'] }),
      department('elsewhere', { site_id: 'site-2' }),
    ];
    const choices = departmentChoices(deps, team, 'site-1');
    expect(choices.map((c) => [c.department.id, c.online])).toEqual([
      ['sales', 0],
      ['support', 1],
    ]);
  });
});
