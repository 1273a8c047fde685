import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ME, T0, summary } from '../test/fixtures';
import { mount } from '../test/render';
import { storeHarness } from '../test/store';
import { Inbox } from './Inbox';

beforeEach(() => {
  vi.useFakeTimers({ now: T0 + 10 * 60_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const sales = { id: 'dep-sales', name: 'Sales' };
const bo = { id: 'staff-bo', name: 'Bo' };
const list = [
  summary('second', { created_at: T0 + 60_000, department: sales }),
  summary('first', { created_at: T0, department: sales }),
  summary('slow', { status: 'active', assignee: bo, unanswered_since: T0 + 5 * 60_000 }),
  summary('quick', { status: 'active', assignee: bo, unanswered_since: T0 + 9 * 60_000 + 30_000 }),
];

function inbox(role: 'operator' | 'supervisor') {
  const h = storeHarness();
  h.receive({ type: 'welcome', me: { ...ME, role, departments: ['dep-sales'] }, conversations: list, team: [], departments: [] });
  return mount(<Inbox store={h.store} />);
}

describe('Inbox for teams', () => {
  it('shows each waiting chat’s place in its queue and its department', () => {
    const root = inbox('operator');
    const waiting = root.querySelector('[aria-labelledby="inbox-waiting"]')!;
    const rows = [...waiting.querySelectorAll('.row')];
    expect(rows.map((r) => r.querySelector('.row__place')?.textContent)).toEqual(['No. 1 in queue', 'No. 2 in queue']);
    expect(rows[0]!.querySelector('.dept')?.textContent).toBe('Sales');
  });

  it('gives operators no list of colleagues’ chats', () => {
    expect(inbox('operator').querySelector('[aria-labelledby="inbox-all"]')).toBeNull();
  });

  it('lists every open chat for supervisors, with holder and unanswered time flagged past two minutes', () => {
    const root = inbox('supervisor');
    const all = root.querySelector('[aria-labelledby="inbox-all"]')!;
    const labels = [...all.querySelectorAll('.row__label')].map((l) => l.textContent);
    expect(labels).toEqual(['Visitor first', 'Visitor second', 'Visitor slow', 'Visitor quick']);
    const slow = all.querySelectorAll('.row')[2]!;
    expect(slow.querySelector('.row__holder')?.textContent).toBe('With Bo');
    expect(slow.querySelector('.row__unanswered')?.classList.contains('row__late')).toBe(true);
    const quick = all.querySelectorAll('.row')[3]!;
    expect(quick.querySelector('.row__unanswered')?.classList.contains('row__late')).toBe(false);
  });
});
