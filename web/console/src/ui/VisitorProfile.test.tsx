import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Visit } from '../../../protocol/Visit';
import type { VisitorProfile as Profile } from '../../../protocol/VisitorProfile';
import { navigate, route, visitorsPath } from '../app/route';
import { fakeApi, json } from '../test/api';
import { liveVisitor, profile, summary, T0, textEvent } from '../test/fixtures';
import { button, mount, settle } from '../test/render';
import { storeHarness } from '../test/store';
import { ConversationPane } from './ConversationPane';
import { VisitorProfile } from './VisitorProfile';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 + 3_600_000, toFake: ['Date', 'setInterval', 'clearInterval'] });
  navigate(visitorsPath(), { replace: true });
});
afterEach(() => {
  vi.useRealTimers();
});

const identity = (fields: Partial<Profile['identity']> = {}): Profile['identity'] => ({
  name: null,
  email: null,
  phone: null,
  external_id: null,
  verified: false,
  contact_id: null,
  ...fields,
});

function visit(number: number, started_at: number, fields: Partial<Visit> = {}): Visit {
  return {
    id: `visit-${number}`,
    number,
    started_at,
    last_seen_at: started_at + 60_000,
    referrer: null,
    utm_source: null,
    country: 'SE',
    client: { browser: 'Safari', os: 'iOS', device: 'mobile' },
    lang: 'sv',
    pages: [],
    ...fields,
  };
}

async function show(p: Profile | Response) {
  const h = storeHarness();
  h.welcome([]);
  const { api, calls } = fakeApi(() => p);
  const root = mount(<VisitorProfile store={h.store} api={api} visitorId="v/1" />);
  await settle();
  return { h, root, calls, pane: root.querySelector<HTMLElement>('[aria-label="Visitor profile"]')! };
}

const badges = (root: HTMLElement) => [...root.querySelectorAll('.idbadge')].map((b) => b.textContent);
const facts = (root: HTMLElement) =>
  Object.fromEntries([...root.querySelectorAll('.facts__item')].map((i) => [i.querySelector('dt')!.textContent, i.querySelector('dd')!.textContent]));

describe('the visitor profile', () => {
  it('loads the visitor and marks a verified, returning customer', async () => {
    const last = summary('conv-9', { visitor_id: 'v/1', status: 'closed', updated_at: T0, last_seq: 3, last_message: textEvent('conv-9', 3, 'Thanks!') });
    const { h, pane, calls } = await show(
      profile('v/1', {
        identity: identity({ name: 'Anna Berg', email: 'anna@example.com', phone: '+46 70 123', external_id: 'cust-7', verified: true, contact_id: 'k1' }),
        visits: [visit(2, T0), visit(1, T0 - 86_400_000)],
        conversations: [last],
      }),
    );
    expect(calls.map((c) => [c.method, c.path])).toEqual([['GET', '/visitors/v%2F1']]);
    expect(pane.querySelector('h2')?.textContent).toBe('Anna Berg');
    expect(badges(pane)).toEqual(['Verified', 'Returning customer']);
    expect(facts(pane)).toMatchObject({ Email: 'anna@example.com', Phone: '+46 70 123', 'Customer ID': 'cust-7' });

    const link = [...pane.querySelectorAll('a')].find((a) => a.textContent?.startsWith('Last conversation'))!;
    expect(link.getAttribute('href')).toBe('/console/c/conv-9');
    act(() => link.click());
    expect(route.value).toEqual({ page: 'conversation', id: 'conv-9' });
    expect(h.store.conversations.value.get('conv-9')).toEqual(last);
  });

  it('labels claimed details as unverified and an anonymous visitor as such', async () => {
    const claimed = await show(profile('v/1', { identity: identity({ name: 'Carl', email: 'carl@example.com' }), visits: [visit(1, T0)] }));
    expect(claimed.pane.querySelector('h2')?.textContent).toBe('Carl');
    expect(badges(claimed.pane)).toEqual(['Unverified']);
    expect(facts(claimed.pane)).not.toHaveProperty('Customer ID');

    const anonymous = await show(profile('v/1', { live: liveVisitor('v/1', { visit_number: 4 }) }));
    expect(badges(anonymous.pane)).toEqual(['Returning customer']);
    expect(anonymous.pane.textContent).toContain('Anonymous visitor');
  });

  it('shows attributes as text, JSON for anything but strings', async () => {
    const { pane } = await show(
      profile('v/1', {
        attributes: { plan: 'gold', cart_total: 120.5, vip: true, tags: ['a', 'b'], address: { city: 'Malmö' }, gone: null },
      }),
    );
    const list = pane.querySelector('[data-section="attributes"]')!;
    const entries = [...list.querySelectorAll('.facts__item')].map((i) => [i.querySelector('dt')!.textContent, i.querySelector('dd')!.textContent]);
    expect(entries).toEqual([
      ['address', '{"city":"Malmö"}'],
      ['cart_total', '120.5'],
      ['gone', 'null'],
      ['plan', 'gold'],
      ['tags', '["a","b"]'],
      ['vip', 'true'],
    ]);
  });

  it('lists visits newest first with their pages, linking only web addresses', async () => {
    const { pane } = await show(
      profile('v/1', {
        visits: [
          visit(1, T0 - 86_400_000, { referrer: 'https://news.example/post', utm_source: 'spring' }),
          visit(2, T0, {
            pages: [
              { url: 'https://shop.example/a', title: 'Jackets', at: T0 },
              { url: 'javascript:alert(1)', title: 'Odd', at: T0 + 1000 },
            ],
          }),
        ],
      }),
    );
    const visits = [...pane.querySelectorAll('.visit')];
    expect(visits.map((v) => v.querySelector('summary')!.textContent)).toEqual([
      expect.stringMatching(/^Visit 2, /),
      expect.stringMatching(/^Visit 1, /),
    ]);
    expect(visits[0]!.querySelector('details')!.open).toBe(true);
    expect(visits[1]!.querySelector('details')!.open).toBe(false);
    expect(facts(visits[1] as HTMLElement)).toMatchObject({ 'Came from': 'https://news.example/post', Campaign: 'spring', Country: '🇸🇪 Sweden' });
    expect(facts(visits[0] as HTMLElement)).toMatchObject({ 'Came from': 'Direct', 'Browser / OS / device': 'Safari · iOS · Mobile' });

    const pages = [...visits[0]!.querySelectorAll('.pages__item')];
    expect(pages.map((p) => p.querySelector('.pages__title')!.textContent)).toEqual(['Jackets', 'Odd']);
    const link = pages[0]!.querySelector('a')!;
    expect(link.getAttribute('href')).toBe('https://shop.example/a');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(pages[1]!.querySelector('a')).toBeNull();
    expect(pages[1]!.querySelector('.pages__url')!.textContent).toBe('javascript:alert(1)');
  });

  it('lists past conversations with status, date and last message, each opening the conversation', async () => {
    const { pane } = await show(
      profile('v/1', {
        conversations: [
          summary('c2', { status: 'active', last_seq: 1, last_message: textEvent('c2', 1, 'Is it waterproof?') }),
          summary('c1', { status: 'closed' }),
        ],
      }),
    );
    const items = [...pane.querySelectorAll<HTMLAnchorElement>('.pconv')];
    expect(items.map((a) => a.getAttribute('href'))).toEqual(['/console/c/c2', '/console/c/c1']);
    expect(items[0]!.querySelector('.pconv__status')!.textContent).toBe('Active');
    expect(items[0]!.querySelector('.pconv__preview')!.textContent).toBe('Is it waterproof?');
    expect(items[1]!.querySelector('.pconv__status')!.textContent).toBe('Closed');
  });

  it('shows the live visit and invites from it', async () => {
    const live = liveVisitor('v/1', {
      page: { url: 'https://shop.example/cart', title: 'Cart', at: T0 + 3_600_000 - 5_000 },
      visit_started_at: T0,
      path: [{ url: 'https://shop.example/cart', title: 'Cart', at: T0 }],
    });
    const { h, pane } = await show(profile('v/1', { live }));
    expect(pane.textContent).toContain('On the site now');
    expect(facts(pane)).toMatchObject({ 'Current page': 'Cart', 'On site': '1:00:00', 'On page': '0:05' });
    act(() => button(pane, 'Invite').click());
    expect(h.store.visitors.inviting.value).toBe('v/1');

    const chatting = await show(profile('v/1', { live: { ...live, chat: { conversation_id: 'c', assignee: null } } }));
    expect(button(chatting.pane, 'Invite').disabled).toBe(true);
  });

  it('shows markup from visitors and shops as text', async () => {
    const evil = '<img src=x onerror="alert(1)"><b>x</b>';
    const { pane } = await show(
      profile('v/1', {
        identity: identity({ name: evil, email: evil, phone: evil }),
        attributes: { [evil]: evil },
        visits: [visit(1, T0, { referrer: evil, utm_source: evil, country: evil, lang: evil, client: { browser: evil, os: evil, device: 'bot' }, pages: [{ url: evil, title: evil, at: T0 }] })],
        conversations: [summary('c', { visitor_label: evil, last_seq: 1, last_message: textEvent('c', 1, evil) })],
        live: liveVisitor('v/1', { page: { url: evil, title: evil, at: T0 }, path: [{ url: evil, title: evil, at: T0 }] }),
      }),
    );
    expect(pane.querySelector('img, b, script')).toBeNull();
    expect(pane.querySelector('h2')?.textContent).toBe(evil);
    expect(pane.textContent).toContain(evil);
  });

  it('says when the visitor cannot be loaded', async () => {
    const { pane } = await show(json(404, { error: 'not_found', message: 'no such visitor' }));
    expect(pane.querySelector('[role="alert"]')?.textContent).toBe('Could not load this visitor. Not found.');
  });
});

describe('the profile beside a conversation', () => {
  it('shows the conversation’s visitor and folds away', async () => {
    const h = storeHarness();
    const c = summary('w', { visitor_id: 'visitor-42' });
    h.welcome([c]);
    h.store.open('w');
    const { api, calls } = fakeApi(() => profile('visitor-42', { identity: identity({ name: 'Eve', verified: true }) }));
    const root = mount(<ConversationPane store={h.store} api={api} />);
    await settle();
    expect(calls.map((x) => x.path)).toEqual(['/visitors/visitor-42']);
    const pane = root.querySelector<HTMLElement>('[aria-label="Visitor profile"]')!;
    expect(pane.querySelector('h2')?.textContent).toBe('Eve');
    expect(badges(pane)).toEqual(['Verified']);

    const toggle = button(root, 'Visitor details');
    const holder = root.querySelector<HTMLElement>('#conversation-profile')!;
    const before = toggle.getAttribute('aria-expanded');
    expect(holder.hidden).toBe(before !== 'true');
    act(() => toggle.click());
    expect(toggle.getAttribute('aria-expanded')).toBe(before === 'true' ? 'false' : 'true');
    expect(holder.hidden).toBe(before === 'true');
  });
});
