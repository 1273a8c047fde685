import { describe, expect, it } from 'vitest';
import type { LiveVisitor } from '../../../protocol/LiveVisitor';
import { liveVisitor, T0 } from '../test/fixtures';
import { applyChanges, canInvite, countriesOf, idTail, NO_FILTER, visibleRows, type VisitorFilter } from './list';

const chat = { conversation_id: 'c1', assignee: null };
const rows = new Map<string, LiveVisitor>(
  [
    liveVisitor('anna', {
      identity: { name: 'Anna Berg', email: 'anna@example.com', phone: null, external_id: null, verified: true, contact_id: 'k1' },
      page: { url: 'https://shop.example/checkout', title: 'Checkout', at: T0 + 50_000 },
      visit_started_at: T0 + 10_000,
      visit_number: 4,
      country: 'DE',
      chat,
    }),
    liveVisitor('bo', {
      page: { url: 'https://shop.example/jackets/ridge', title: 'Ridge Shell jacket', at: T0 + 20_000 },
      visit_started_at: T0,
      country: 'SE',
      active: false,
    }),
    liveVisitor('cy', {
      page: null,
      visit_started_at: T0 + 30_000,
      visit_number: 2,
      country: 'de',
    }),
    liveVisitor('dee', {
      page: { url: 'https://shop.example/', title: 'Home', at: T0 + 40_000 },
      visit_started_at: T0 + 5_000,
      country: null,
    }),
  ].map((v) => [v.visitor_id, v]),
);

const order = (filter: Partial<VisitorFilter> = {}, key: Parameters<typeof visibleRows>[2]['key'] = 'time_on_site', dir: 'asc' | 'desc' = 'asc') =>
  visibleRows(rows, { ...NO_FILTER, ...filter }, { key, dir }).map((v) => v.visitor_id);

describe('sorting', () => {
  it('by time on site: newest arrivals first, or the longest staying', () => {
    expect(order()).toEqual(['cy', 'anna', 'dee', 'bo']);
    expect(order({}, 'time_on_site', 'desc')).toEqual(['bo', 'dee', 'anna', 'cy']);
  });

  it('by time on page, with visitors on no page yet last either way', () => {
    expect(order({}, 'time_on_page', 'asc')).toEqual(['anna', 'dee', 'bo', 'cy']);
    expect(order({}, 'time_on_page', 'desc')).toEqual(['bo', 'dee', 'anna', 'cy']);
  });

  it('by visit number, country and page title', () => {
    expect(order({}, 'visit', 'desc')).toEqual(['anna', 'cy', 'bo', 'dee']);
    expect(order({}, 'country', 'asc')).toEqual(['anna', 'cy', 'bo', 'dee']);
    expect(order({}, 'page', 'asc')).toEqual(['anna', 'dee', 'bo', 'cy']);
  });
});

describe('filtering', () => {
  it('searches name, email, page title and URL without regard to case', () => {
    expect(order({ text: 'ANNA@' })).toEqual(['anna']);
    expect(order({ text: 'ridge' })).toEqual(['bo']);
    expect(order({ text: '/checkout' })).toEqual(['anna']);
    expect(order({ text: '  ' })).toHaveLength(4);
  });

  it('by country, returning visitors, chatting and activity', () => {
    expect(order({ country: 'DE' })).toEqual(['cy', 'anna']);
    expect(order({ returningOnly: true })).toEqual(['cy', 'anna']);
    expect(order({ chat: 'chatting' })).toEqual(['anna']);
    expect(order({ chat: 'not_chatting' })).toEqual(['cy', 'dee', 'bo']);
    expect(order({ activity: 'idle' })).toEqual(['bo']);
    expect(order({ activity: 'active', returningOnly: true, country: 'DE', chat: 'not_chatting' })).toEqual(['cy']);
  });

  it('offers the countries present', () => {
    expect(countriesOf(rows)).toEqual(['DE', 'SE']);
  });
});

describe('helpers', () => {
  it('apply a snapshot and changes', () => {
    const base = new Map([['x', liveVisitor('x')]]);
    const next = applyChanges(base, null, new Map([['x', null], ['y', liveVisitor('y')]]));
    expect([...next.keys()]).toEqual(['y']);
    expect([...base.keys()]).toEqual(['x']);
    expect([...applyChanges(base, [liveVisitor('z')], new Map()).keys()]).toEqual(['z']);
  });

  it('label anonymous visitors by the id’s tail, as the server does', () => {
    expect(idTail('0190f1c2-7d4e-7a11-8c3b-5e2a9b8d3f9a')).toBe('3f9a');
  });

  it('allow an invitation only to visitors not chatting and not already invited', () => {
    expect(canInvite(liveVisitor('a'))).toBe(true);
    expect(canInvite(liveVisitor('a', { chat }))).toBe(false);
    const pending = { id: 'i', agent: null, rule_id: null, text: 'Hi', state: 'pending' as const, at: T0 };
    expect(canInvite(liveVisitor('a', { invitation: pending }))).toBe(false);
    expect(canInvite(liveVisitor('a', { invitation: { ...pending, state: 'declined' } }))).toBe(true);
  });
});
