import { render } from 'preact';
import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InvitationView } from '../../../protocol/InvitationView';
import type { LiveVisitor } from '../../../protocol/LiveVisitor';
import { navigate, route, visitorsPath } from '../app/route';
import { fakeApi } from '../test/api';
import { liveVisitor, profile, T0 } from '../test/fixtures';
import { button, byLabel, mount, type } from '../test/render';
import { storeHarness } from '../test/store';
import { InvitationNotices } from './InvitationNotices';
import { InviteDialog } from './InviteDialog';
import { OVERSCAN, ROW_HEIGHT } from './VisitorTable';
import { VisitorsPage } from './VisitorsPage';

const NOW = T0 + 65_000;

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
  navigate(visitorsPath(), { replace: true });
});
afterEach(() => {
  vi.useRealTimers();
});

const pending = (fields: Partial<InvitationView> = {}): InvitationView => ({
  id: 'inv-1',
  agent: { id: 'staff-anna', name: 'Anna' },
  rule_id: null,
  text: 'Hi!',
  state: 'pending',
  at: T0,
  ...fields,
});

function page(visitors: LiveVisitor[] | null) {
  const h = storeHarness();
  h.welcome([]);
  const { api, calls } = fakeApi((call) => profile(decodeURIComponent(call.path.split('/').pop()!)));
  const root = mount(
    <>
      <VisitorsPage store={h.store} api={api} selected={null} />
      <InviteDialog visitors={h.store.visitors} />
      <InvitationNotices visitors={h.store.visitors} />
    </>,
  );
  if (visitors) {
    act(() => {
      h.receive({ type: 'visitors', visitors });
      h.paint();
    });
  }
  return { h, root, calls };
}

const rowOf = (root: HTMLElement, id: string) => {
  const row = [...root.querySelectorAll<HTMLTableRowElement>('tr[data-visitor-id]')].find((r) => r.dataset.visitorId === id);
  if (!row) throw new Error(`no row for ${id}`);
  return row;
};
const cell = (row: HTMLElement, field: string) => row.querySelector(`[data-field="${field}"]`)?.textContent ?? null;
const shownIds = (root: HTMLElement) => [...root.querySelectorAll<HTMLElement>('tr[data-visitor-id]')].map((r) => r.dataset.visitorId);

const anna = liveVisitor('0190f1c2-7d4e-7a11-8c3b-5e2a9b8d1111', {
  identity: { name: 'Anna Berg', email: 'anna@example.com', phone: null, external_id: 'c-7', verified: true, contact_id: 'k1' },
  page: { url: 'https://shop.example/jackets/ridge?size=m', title: 'Ridge Shell jacket', at: T0 + 60_000 },
  path: [
    { url: 'https://shop.example/', title: 'Home', at: T0 },
    { url: 'https://shop.example/jackets/ridge?size=m', title: 'Ridge Shell jacket', at: T0 + 60_000 },
  ],
  referrer: 'https://www.google.com/',
  utm_source: 'newsletter',
  visit_started_at: T0,
  visit_number: 3,
  country: 'DE',
  client: { browser: 'Firefox', os: 'Linux', device: 'desktop' },
  lang: 'ru',
  chat: { conversation_id: 'c1', assignee: { id: 'staff-bo', name: 'Bo' } },
  invitation: pending({ state: 'accepted' }),
});
const anonymous = liveVisitor('0190f1c2-7d4e-7a11-8c3b-5e2a9b8d3f9a', {
  identity: { name: 'Claimed Carl', email: null, phone: null, external_id: null, verified: false, contact_id: null },
  page: null,
  visit_started_at: T0 + 30_000,
  active: false,
  country: 'XX',
  lang: null,
});

describe('the live visitor list', () => {
  it('watches while shown and stops when left', () => {
    const { h, root } = page([]);
    expect(h.take('watch_visitors')).toEqual([{ type: 'watch_visitors', watch: true }]);
    act(() => render(null, root));
    expect(h.take('watch_visitors')).toEqual([{ type: 'watch_visitors', watch: false }]);
  });

  it('says it is loading until the first snapshot, then that nobody is there', () => {
    const { h, root } = page(null);
    expect(root.textContent).toContain('Loading visitors…');
    act(() => {
      h.receive({ type: 'visitors', visitors: [] });
      h.paint();
    });
    expect(root.textContent).toContain('Nobody is on your sites right now.');
    expect(root.querySelector('table')).toBeNull();
  });

  it('shows each visitor’s details in named cells, with counters', () => {
    const { root } = page([anna, anonymous]);
    const a = rowOf(root, anna.visitor_id);
    expect(cell(a, 'name')).toBe('Anna BergVerifiedanna@example.com');
    expect(cell(a, 'page')).toBe('Ridge Shell jacketPages: 2');
    expect(a.querySelector('[data-field="page"]')?.getAttribute('title')).toContain('Home');
    expect(cell(a, 'url')).toBe('https://shop.example/jackets/ridge?size=m');
    expect(cell(a, 'referrer')).toBe('https://www.google.com/');
    expect(cell(a, 'utm')).toBe('newsletter');
    expect(cell(a, 'time_on_site')).toBe('1:05');
    expect(cell(a, 'time_on_page')).toBe('0:05');
    expect(cell(a, 'visit')).toBe('Returning, visit 3');
    expect(cell(a, 'country')).toBe('🇩🇪 Germany');
    expect(cell(a, 'client')).toBe('Firefox · Linux · Desktop');
    expect(cell(a, 'lang')).toBe('Russian');
    expect(cell(a, 'chat')).toBe('With Bo');
    expect(a.querySelector<HTMLAnchorElement>('[data-field="chat"] a')?.getAttribute('href')).toBe('/console/c/c1');
    expect(cell(a, 'activity')).toBe('Active');
    expect(cell(a, 'invitation')).toBe('Accepted');

    const c = rowOf(root, anonymous.visitor_id);
    expect(cell(c, 'name')).toBe('Claimed CarlUnverified');
    expect(cell(c, 'page')).toBe('No page yet');
    expect(cell(c, 'referrer')).toBe('Direct');
    expect(cell(c, 'visit')).toBe('New');
    expect(cell(c, 'country')).toBe('XX');
    expect(cell(c, 'chat')).toBe('');
    expect(cell(c, 'activity')).toBe('Idle');

    const unnamed = liveVisitor('0190f1c2-7d4e-7a11-8c3b-5e2a9b8dbeef');
    const { root: other } = page([unnamed]);
    expect(cell(rowOf(other, unnamed.visitor_id), 'name')).toBe('Visitor beef');

    expect(root.querySelector('[data-count="total"]')?.textContent).toBe('On site: 2');
    expect(root.querySelector('[data-count="chatting"]')?.textContent).toBe('Chatting: 1');
  });

  it('keeps the times running', () => {
    const { root } = page([anna]);
    act(() => {
      vi.advanceTimersByTime(2_000);
    });
    expect(cell(rowOf(root, anna.visitor_id), 'time_on_site')).toBe('1:07');
    expect(cell(rowOf(root, anna.visitor_id), 'time_on_page')).toBe('0:07');
  });

  it('applies changes and departures live', () => {
    const { h, root } = page([anna, anonymous]);
    act(() => {
      h.receive({
        type: 'visitors_changed',
        changed: [{ ...anonymous, page: { url: 'https://shop.example/cart', title: 'Cart', at: NOW } }],
        left: [anna.visitor_id],
      });
      h.paint();
    });
    expect(shownIds(root)).toEqual([anonymous.visitor_id]);
    expect(cell(rowOf(root, anonymous.visitor_id), 'page')).toBe('Cart');
    expect(root.querySelector('[data-count="total"]')?.textContent).toBe('On site: 1');
  });

  it('draws only the rows in view of 10,000 visitors, and follows the scroll', () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      liveVisitor(`v${String(i).padStart(5, '0')}`, { visit_started_at: T0 - i * 1000 }),
    );
    const { root } = page(many);
    const table = root.querySelector('table')!;
    expect(table.getAttribute('aria-rowcount')).toBe('10001');
    const drawn = root.querySelectorAll('tr[data-visitor-id]');
    expect(drawn.length).toBeGreaterThan(10);
    expect(drawn.length).toBeLessThan(40);
    expect(shownIds(root)[0]).toBe('v00000');
    const spacers = [...root.querySelectorAll<HTMLElement>('.vt__spacer td')];
    expect(spacers).toHaveLength(1);
    expect(parseInt(spacers[0]!.style.height, 10)).toBe((10_000 - drawn.length) * ROW_HEIGHT);

    const scroller = root.querySelector<HTMLElement>('.vt')!;
    act(() => {
      scroller.scrollTop = 5_000 * ROW_HEIGHT;
      scroller.dispatchEvent(new Event('scroll'));
    });
    const ids = shownIds(root);
    expect(ids[0]).toBe(`v0${5_000 - OVERSCAN}`);
    expect(ids.length).toBeLessThan(40);
    expect(root.querySelector('tr[data-visitor-id]')?.getAttribute('aria-rowindex')).toBe(String(5_000 - OVERSCAN + 2));
    expect(root.querySelectorAll('.vt__spacer')).toHaveLength(2);
  });

  it('shows markup from visitors and shops as text, never as elements', () => {
    const evil = '<img src=x onerror="alert(1)"><b>bold</b>';
    const v = liveVisitor('evil', {
      identity: { name: evil, email: evil, phone: evil, external_id: null, verified: false, contact_id: null },
      page: { url: evil, title: evil, at: T0 },
      path: [{ url: evil, title: evil, at: T0 }],
      referrer: evil,
      utm_source: evil,
      country: evil,
      client: { browser: evil, os: evil, device: 'mobile' },
      lang: evil,
      chat: { conversation_id: 'c1', assignee: { id: 's', name: evil } },
      invitation: pending({ agent: { id: 's', name: evil }, text: evil }),
    });
    const { root } = page([v]);
    const row = rowOf(root, 'evil');
    expect(root.querySelector('img, b, script')).toBeNull();
    for (const field of ['name', 'page', 'url', 'referrer', 'utm', 'country', 'client', 'lang', 'chat']) {
      expect(cell(row, field), field).toContain(evil);
    }
  });

  it('filters and sorts from its controls', () => {
    const bo = liveVisitor('bo', {
      page: { url: 'https://shop.example/', title: 'Home', at: T0 },
      country: 'SE',
      visit_started_at: T0 + 10_000,
    });
    const { root } = page([anna, anonymous, bo]);
    type(byLabel<HTMLInputElement>(root, 'Search visitors'), 'RIDGE');
    expect(shownIds(root)).toEqual([anna.visitor_id]);
    expect(root.querySelector('[data-count="shown"]')?.textContent).toBe('Showing 1 of 3');

    type(byLabel<HTMLInputElement>(root, 'Search visitors'), 'nothing like it');
    expect(root.textContent).toContain('No visitors match these filters.');
    act(() => button(root, 'Clear filters').click());
    expect(shownIds(root)).toHaveLength(3);

    const country = byLabel<HTMLSelectElement>(root, 'Country');
    expect([...country.options].map((o) => o.textContent)).toEqual(['All countries', 'Germany', 'Sweden', 'XX']);
    act(() => {
      country.value = 'SE';
      country.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(shownIds(root)).toEqual(['bo']);
    act(() => button(root, 'Clear filters').click());

    const returning = byLabel<HTMLInputElement>(root, 'Returning only');
    act(() => returning.click());
    expect(shownIds(root)).toEqual([anna.visitor_id]);
    act(() => returning.click());

    const activity = byLabel<HTMLSelectElement>(root, 'Tab');
    act(() => {
      activity.value = 'idle';
      activity.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(shownIds(root)).toEqual([anonymous.visitor_id]);
    act(() => button(root, 'Clear filters').click());

    // Newest arrivals first by default; the column header sorts and says how.
    expect(shownIds(root)).toEqual([anonymous.visitor_id, 'bo', anna.visitor_id]);
    const visitHeader = root.querySelector('th[data-field="visit"]')!;
    act(() => visitHeader.querySelector('button')!.click());
    expect(visitHeader.getAttribute('aria-sort')).toBe('descending');
    expect(shownIds(root)[0]).toBe(anna.visitor_id);
    act(() => visitHeader.querySelector('button')!.click());
    expect(visitHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(shownIds(root)[2]).toBe(anna.visitor_id);
  });

  it('opens a visitor’s profile from a row, by click or keyboard', () => {
    const { root } = page([anna, anonymous]);
    act(() => rowOf(root, anna.visitor_id).click());
    expect(route.value).toEqual({ page: 'visitors', id: anna.visitor_id });

    const first = rowOf(root, anonymous.visitor_id);
    expect(first.tabIndex).toBe(0);
    expect(rowOf(root, anna.visitor_id).tabIndex).toBe(-1);
    act(() => first.focus());
    act(() => {
      first.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    });
    expect(document.activeElement).toBe(rowOf(root, anna.visitor_id));
    act(() => {
      document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    });
    expect(route.value).toEqual({ page: 'visitors', id: anna.visitor_id });
  });
});

describe('inviting a visitor', () => {
  const free = liveVisitor('free', { identity: { name: 'Dana', email: null, phone: null, external_id: null, verified: false, contact_id: null } });

  it('opens a dialog with the default text, sends the edited invitation and shows it on the row', () => {
    const { h, root } = page([free]);
    const invite = rowOf(root, 'free').querySelector<HTMLButtonElement>('[data-field="actions"] button')!;
    expect(invite.textContent).toBe('Invite');
    act(() => invite.click());
    expect(route.value).toEqual({ page: 'visitors', id: null });

    const dialog = root.querySelector('[role="dialog"]')!;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.querySelector('h2')?.textContent).toBe('Invite Dana to chat');
    const text = byLabel<HTMLTextAreaElement>(root, 'Invitation text');
    expect(text.value).toBe('Hi! Can I help you find anything?');
    expect(document.activeElement).toBe(text);

    type(text, 'Need help with <sizes>?');
    act(() => button(root, 'Send invitation').click());
    expect(h.take('invite')).toEqual([{ type: 'invite', visitor_id: 'free', text: 'Need help with <sizes>?' }]);
    expect(root.querySelector('[role="dialog"]')).toBeNull();
    expect(cell(rowOf(root, 'free'), 'invitation')).toBe('Sending…');
    expect(rowOf(root, 'free').querySelector<HTMLButtonElement>('[data-field="actions"] button')!.disabled).toBe(true);

    act(() => {
      h.receive({ type: 'visitors_changed', changed: [{ ...free, invitation: pending() }], left: [] });
      h.paint();
    });
    expect(cell(rowOf(root, 'free'), 'invitation')).toBe('Invited');
    expect(rowOf(root, 'free').querySelector('[data-field="invitation"]')?.getAttribute('title')).toBe('By Anna');
    expect(rowOf(root, 'free').querySelector<HTMLButtonElement>('[data-field="actions"] button')!.disabled).toBe(true);
  });

  it('refuses an empty or over-long invitation and closes on Escape without sending', () => {
    const { h, root } = page([free]);
    act(() => rowOf(root, 'free').querySelector<HTMLButtonElement>('[data-field="actions"] button')!.click());
    const text = byLabel<HTMLTextAreaElement>(root, 'Invitation text');

    type(text, '   ');
    expect(button(root, 'Send invitation').disabled).toBe(true);
    expect(root.querySelector('#invite-count')?.textContent).toBe('Write the invitation first.');

    type(text, 'é'.repeat(500));
    expect(button(root, 'Send invitation').disabled).toBe(false);
    expect(root.querySelector('#invite-count')?.textContent).toBe('500 of 500 characters');

    type(text, 'é'.repeat(501));
    expect(button(root, 'Send invitation').disabled).toBe(true);
    expect(root.querySelector('#invite-count')?.textContent).toBe('1 characters over the limit');
    act(() => {
      text.form!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    });
    expect(h.take('invite')).toEqual([]);

    act(() => {
      text.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    });
    expect(root.querySelector('[role="dialog"]')).toBeNull();
    expect(h.take('invite')).toEqual([]);
  });

  it('holds the button while the visitor chats or has an invitation to answer', () => {
    const chatting = liveVisitor('chatting', { chat: { conversation_id: 'c9', assignee: null } });
    const invited = liveVisitor('invited', { invitation: pending() });
    const declined = liveVisitor('declined', { invitation: pending({ state: 'declined' }) });
    const { root } = page([chatting, invited, declined]);
    const inviteButton = (id: string) => rowOf(root, id).querySelector<HTMLButtonElement>('[data-field="actions"] button')!;
    expect(inviteButton('chatting').disabled).toBe(true);
    expect(inviteButton('chatting').title).toBe('Already chatting');
    expect(inviteButton('invited').disabled).toBe(true);
    expect(inviteButton('declined').disabled).toBe(false);
    expect(cell(rowOf(root, 'chatting'), 'chat')).toBe('Waiting for an operator');
    expect(cell(rowOf(root, 'declined'), 'invitation')).toBe('Declined');
  });

  it('tells me when my invitation is declined or accepted', () => {
    const { h, root } = page([{ ...free, invitation: pending() }]);
    act(() => h.receive({ type: 'invitation', visitor_id: 'free', invitation: pending({ state: 'declined' }) }));
    const notices = root.querySelector('[role="status"].toasts')!;
    expect(notices.textContent).toContain('Dana declined your invitation');
    act(() => h.receive({ type: 'invitation', visitor_id: 'free', invitation: pending({ state: 'accepted' }) }));
    expect(notices.textContent).toContain('Dana accepted your invitation');
    act(() => button(notices as HTMLElement, 'Dismiss').click());
    expect(notices.querySelectorAll('.toast')).toHaveLength(1);
  });
});
