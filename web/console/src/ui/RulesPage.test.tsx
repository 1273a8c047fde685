import { act } from 'preact/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Role } from '../../../protocol/Role';
import type { Department } from '../../../protocol/Department';
import type { Rule } from '../../../protocol/Rule';
import type { SiteView } from '../../../protocol/SiteView';
import { navigate, route, rulesPath } from '../app/route';
import { json, type Call, fakeApi } from '../test/api';
import { liveVisitor, ME, T0 } from '../test/fixtures';
import { button, byLabel, mount, settle, type } from '../test/render';
import { storeHarness } from '../test/store';
import { RulesPage } from './RulesPage';

beforeEach(() => {
  navigate(rulesPath(), { replace: true });
});
afterEach(() => {
  navigate('/console/', { replace: true });
});

const site = (id: string, fields: Partial<SiteView> = {}): SiteView => ({
  id,
  slug: id,
  name: `Shop ${id}`,
  public_key: `pk-${id}`,
  allowed_origins: [],
  color: '#0b6e69',
  lang: null,
  tracking: { enabled: true, honor_dnt: false, stripped_params: ['token', 'email'] },
  greetings: { en: 'Welcome back, {name}!' },
  hours: null,
  mail: { notify_address: null, consent_text: null, auto_transcript: false },
  chat: { choose_department: false, sneak_peek: false, routing: 'least_busy' },
  ...fields,
});

const stored: Rule = {
  id: 'r1',
  site_id: 'site-1',
  created_at: T0,
  updated_at: T0,
  name: 'Checkout help',
  enabled: true,
  conditions: [
    { kind: 'url_matches', pattern: '/checkout*' },
    { kind: 'attribute', key: 'cart_total', op: 'gte', value: 100 },
  ],
  text: 'Questions about <delivery>?',
  department: 'dept-sales',
};

const department = (id: string, name: string, site_id = 'site-1', position = 0): Department => ({
  id,
  site_id,
  position,
  name,
  routing: 'least_busy',
  public: true,
  pages: [],
  notify_address: null,
  members: [],
});

type Answer = (call: Call) => unknown;

/** Sites load first, then the chosen site's rules. */
async function loaded() {
  await settle();
  await settle();
}

async function rulesPage(role: Role, answer: Answer = () => undefined) {
  const h = storeHarness();
  h.welcome([]);
  h.receive({
    type: 'departments',
    departments: [department('dept-sales', 'Sales'), department('dept-help', 'Help', 'site-1', 1), department('dept-other', 'Elsewhere', 'site-2')],
  });
  h.store.me.value = { ...ME, role };
  const { api, calls } = fakeApi((call) => {
    const mine = answer(call);
    if (mine !== undefined) return mine;
    if (call.method === 'GET' && call.path === '/sites') return [site('site-1'), site('site-2')];
    if (call.method === 'GET' && call.path.endsWith('/rules')) return call.path.startsWith('/sites/site-1/') ? [stored] : [];
    return json(500, { error: 'internal', message: 'unexpected' });
  });
  const root = mount(<RulesPageRoute store={h.store} api={api} />);
  await loaded();
  return { h, root, calls };
}

/** The page as the console mounts it: following the route's site. */
function RulesPageRoute(props: Omit<Parameters<typeof RulesPage>[0], 'site'>) {
  const r = route.value;
  return <RulesPage {...props} site={r.page === 'rules' ? r.site : null} />;
}

const choose = (select: HTMLSelectElement, value: string) =>
  act(() => {
    select.value = value;
    select.dispatchEvent(new Event('change', { bubbles: true }));
  });

const conditionBox = (root: HTMLElement, n: number) => root.querySelectorAll<HTMLFieldSetElement>('fieldset.cond')[n - 1]!;
const writes = (calls: Call[]) => calls.filter((c) => c.method !== 'GET');

describe('the rule list', () => {
  it('shows the first site’s rules with their conditions in words, and switches sites', async () => {
    const { root, calls } = await rulesPage('supervisor');
    const rule = root.querySelector('[data-rule-id="r1"]')!;
    expect(rule.querySelector('h3')?.textContent).toBe('Checkout help');
    expect([...rule.querySelectorAll('.rule__conds li')].map((li) => li.textContent)).toEqual([
      'Address matches /checkout*',
      'cart_total is at least 100',
    ]);
    expect(rule.querySelector('.rule__text')?.textContent).toBe('Questions about <delivery>?');
    expect(rule.querySelector('delivery')).toBeNull();
    expect(rule.querySelector('.rule__dept')?.textContent).toBe('Department: Sales');

    choose(byLabel<HTMLSelectElement>(root, 'Site'), 'site-2');
    await loaded();
    expect(route.value).toEqual({ page: 'rules', site: 'site-2' });
    expect(root.textContent).toContain('This site has no rules yet.');
    expect(calls.map((c) => c.path)).toEqual(['/sites', '/sites/site-1/rules', '/sites/site-2/rules']);
  });

  it('is read-only for operators', async () => {
    const { root } = await rulesPage('operator');
    expect(root.textContent).toContain('Only supervisors and administrators can change rules.');
    expect([...root.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('New rule');
    expect([...root.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Edit');
    expect(root.querySelector<HTMLInputElement>('[data-rule-id="r1"] input[type="checkbox"]')!.disabled).toBe(true);
  });

  it('toggles a rule with its whole draft, and shows the server’s refusal', async () => {
    let refuse = false;
    const { root, calls } = await rulesPage('supervisor', (call) => {
      if (call.method !== 'PUT') return undefined;
      if (refuse) return json(403, { error: 'forbidden', message: 'supervisors and admins only' });
      return { ...stored, ...(call.body as object), updated_at: T0 + 1 };
    });
    const toggle = root.querySelector<HTMLInputElement>('[data-rule-id="r1"] input[type="checkbox"]')!;
    act(() => toggle.click());
    await settle();
    expect(writes(calls)).toEqual([
      expect.objectContaining({
        method: 'PUT',
        path: '/rules/r1',
        body: { name: 'Checkout help', enabled: false, conditions: stored.conditions, text: stored.text, department: 'dept-sales' },
      }),
    ]);
    expect(root.querySelector('[data-rule-id="r1"]')!.classList.contains('rule--off')).toBe(true);

    refuse = true;
    act(() => root.querySelector<HTMLInputElement>('[data-rule-id="r1"] input[type="checkbox"]')!.click());
    await settle();
    expect(root.querySelector('[role="alert"]')?.textContent).toBe('You are not allowed to do that. (supervisors and admins only)');
    expect(root.querySelector<HTMLInputElement>('[data-rule-id="r1"] input[type="checkbox"]')!.checked).toBe(false);
  });

  it('deletes a rule after a second confirming click', async () => {
    const { root, calls } = await rulesPage('admin', (call) => (call.method === 'DELETE' ? new Response(null, { status: 204 }) : undefined));
    act(() => button(root, 'Delete').click());
    expect(writes(calls)).toEqual([]);
    act(() => button(root, 'Delete for good').click());
    await settle();
    expect(writes(calls).map((c) => [c.method, c.path])).toEqual([['DELETE', '/rules/r1']]);
    expect(root.querySelector('[data-rule-id="r1"]')).toBeNull();
    expect(root.textContent).toContain('Rule deleted.');
  });
});

describe('the rule editor', () => {
  it('builds a rule with every kind of condition and posts it', async () => {
    const { root, calls } = await rulesPage('supervisor', (call) =>
      call.method === 'POST' && call.path === '/sites/site-1/rules'
        ? json(201, { ...(call.body as object), id: 'r2', site_id: 'site-1', created_at: T0, updated_at: T0 })
        : undefined,
    );
    act(() => button(root, 'New rule').click());
    const editor = root.querySelector<HTMLElement>('.rule-editor')!;
    expect(byLabel<HTMLTextAreaElement>(editor, 'Invitation text').value).toBe('Hi! Can I help you find anything?');
    type(byLabel(editor, 'Rule name'), 'Big carts');
    type(byLabel(editor, 'Invitation text'), 'Free delivery today <3');
    const departments = byLabel<HTMLSelectElement>(editor, 'Department');
    // Only this site's departments, in order, after the site's own queue.
    expect([...departments.options].map((o) => o.textContent)).toEqual(['None (the site’s queue)', 'Sales', 'Help']);
    choose(departments, 'dept-sales');

    const fill: [string, (box: HTMLElement) => void][] = [
      ['url_matches', (b) => type(byLabel(b, 'Pattern'), '/cart*')],
      ['time_on_page', (b) => type(byLabel(b, 'Seconds, at least'), '45')],
      ['pages_this_visit', (b) => type(byLabel(b, 'Pages, at least'), '3')],
      ['returning', (b) => choose(byLabel(b, 'Visitor'), 'no')],
      ['referrer_contains', (b) => type(byLabel(b, 'Text'), 'google')],
      [
        'attribute',
        (b) => {
          type(byLabel(b, 'Attribute name'), 'cart_total');
          choose(byLabel(b, 'Comparison'), 'gt');
          type(byLabel(b, 'Value'), '99.90');
        },
      ],
      [
        'attribute',
        (b) => {
          type(byLabel(b, 'Attribute name'), 'coupon');
          choose(byLabel(b, 'Comparison'), 'exists');
          expect(() => byLabel(b, 'Value')).toThrow();
        },
      ],
      [
        'attribute',
        (b) => {
          type(byLabel(b, 'Attribute name'), 'plan');
          type(byLabel(b, 'Value'), 'gold');
        },
      ],
      ['language', (b) => type(byLabel(b, 'Language code'), 'uk')],
      ['country', (b) => type(byLabel(b, 'Country code'), 'ua')],
    ];
    fill.forEach(([kind, set], i) => {
      act(() => button(editor, 'Add condition').click());
      const box = conditionBox(root, i + 1);
      expect(box.querySelector('legend')?.textContent).toBe(`Condition ${i + 1}`);
      choose(byLabel(box, 'Kind'), kind);
      set(box);
    });
    act(() => button(editor, 'Save rule').click());
    await settle();

    expect(writes(calls)).toHaveLength(1);
    expect(writes(calls)[0]).toMatchObject({ method: 'POST', path: '/sites/site-1/rules' });
    expect(writes(calls)[0]!.body).toEqual({
      name: 'Big carts',
      enabled: true,
      text: 'Free delivery today <3',
      department: 'dept-sales',
      conditions: [
        { kind: 'url_matches', pattern: '/cart*' },
        { kind: 'time_on_page', seconds: 45 },
        { kind: 'pages_this_visit', count: 3 },
        { kind: 'returning', returning: false },
        { kind: 'referrer_contains', text: 'google' },
        { kind: 'attribute', key: 'cart_total', op: 'gt', value: 99.9 },
        { kind: 'attribute', key: 'coupon', op: 'exists', value: null },
        { kind: 'attribute', key: 'plan', op: 'eq', value: 'gold' },
        { kind: 'language', lang: 'uk' },
        { kind: 'country', country: 'UA' },
      ],
    });
    expect(root.querySelector('.rule-editor')).toBeNull();
    expect(root.querySelector('[data-rule-id="r2"] h3')?.textContent).toBe('Big carts');
    expect(root.textContent).toContain('Rule saved.');
  });

  it('edits a stored rule in place, removing a condition', async () => {
    const { root, calls } = await rulesPage('admin', (call) =>
      call.method === 'PUT' ? { ...stored, ...(call.body as object), updated_at: T0 + 1 } : undefined,
    );
    act(() => button(root, 'Edit').click());
    const editor = root.querySelector<HTMLElement>('.rule-editor')!;
    expect(byLabel<HTMLInputElement>(editor, 'Rule name').value).toBe('Checkout help');
    expect(byLabel<HTMLInputElement>(conditionBox(root, 2), 'Value').value).toBe('100');
    act(() => button(conditionBox(root, 1), 'Remove condition').click());
    act(() => button(editor, 'Save rule').click());
    await settle();
    expect(writes(calls)).toEqual([
      expect.objectContaining({
        method: 'PUT',
        path: '/rules/r1',
        body: { name: 'Checkout help', enabled: true, conditions: [stored.conditions[1]], text: stored.text, department: 'dept-sales' },
      }),
    ]);
  });

  it('shows what is wrong, from the form or from the server', async () => {
    const { root, calls } = await rulesPage('supervisor', (call) =>
      call.method === 'POST' ? json(400, { error: 'invalid_input', message: 'condition 0: the text must be 1 to 500 characters' }) : undefined,
    );
    act(() => button(root, 'New rule').click());
    const editor = root.querySelector<HTMLElement>('.rule-editor')!;
    act(() => button(editor, 'Save rule').click());
    expect(editor.querySelector('[role="alert"]')?.textContent).toBe('Give the rule a name of up to 100 characters.');
    expect(writes(calls)).toEqual([]);

    type(byLabel(editor, 'Rule name'), 'Any');
    act(() => button(editor, 'Save rule').click());
    await settle();
    expect(editor.querySelector('[role="alert"]')?.textContent).toBe(
      'Some of the information is not valid. (condition 0: the text must be 1 to 500 characters)',
    );
    expect(root.querySelector('.rule-editor')).not.toBeNull();
  });

  it('previews the live visitors a draft matches, named from the live list', async () => {
    const { h, root, calls } = await rulesPage('supervisor', (call) =>
      call.path.endsWith('/rules/preview') ? { visitors: ['v-anna', '0190f1c2-7d4e-7a11-8c3b-5e2a9b8d3f9a'] } : undefined,
    );
    act(() => button(root, 'New rule').click());
    const editor = root.querySelector<HTMLElement>('.rule-editor')!;
    type(byLabel(editor, 'Rule name'), 'Swedes');
    act(() => button(editor, 'Add condition').click());
    choose(byLabel(conditionBox(root, 1), 'Kind'), 'country');
    type(byLabel(conditionBox(root, 1), 'Country code'), 'SE');
    act(() => button(editor, 'Preview').click());
    await settle();

    expect(writes(calls)).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/sites/site-1/rules/preview',
        body: { name: 'Swedes', enabled: true, conditions: [{ kind: 'country', country: 'SE' }], text: 'Hi! Can I help you find anything?', department: null },
      }),
    ]);
    expect(h.take('watch_visitors')).toEqual([{ type: 'watch_visitors', watch: true }]);
    act(() => {
      h.receive({
        type: 'visitors',
        visitors: [liveVisitor('v-anna', { identity: { name: 'Anna', email: null, phone: null, external_id: null, verified: false, contact_id: null } })],
      });
      h.paint();
    });
    expect(editor.querySelector('[data-preview="count"]')?.textContent).toBe('Live visitors matching now: 2');
    expect([...editor.querySelectorAll('.preview__list a')].map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Anna', '/console/visitors/v-anna'],
      ['Visitor 3f9a', '/console/visitors/0190f1c2-7d4e-7a11-8c3b-5e2a9b8d3f9a'],
    ]);

    act(() => button(editor, 'Cancel').click());
    expect(h.take('watch_visitors')).toEqual([{ type: 'watch_visitors', watch: false }]);
  });
});

describe('site settings', () => {
  it('patches tracking, stripped parameters and greetings for an administrator', async () => {
    const { root, calls } = await rulesPage('admin', (call) =>
      call.method === 'PATCH' ? site('site-1', { ...(call.body as object) }) : undefined,
    );
    const settings = root.querySelector<HTMLElement>('[aria-labelledby="site-settings-title"]')!;
    act(() => byLabel<HTMLInputElement>(settings, 'Record visits and show visitors in the live list').click());
    act(() => byLabel<HTMLInputElement>(settings, 'Honour Do-Not-Track and Global Privacy Control').click());
    act(() => settings.querySelector<HTMLButtonElement>('[aria-label="Remove parameter 1"]')!.click());
    act(() => button(settings, 'Add parameter').click());
    type(settings.querySelector<HTMLInputElement>('[aria-label="Query parameter 2"]')!, ' gclid ');
    act(() => button(settings, 'Add parameter').click());
    expect(byLabel<HTMLTextAreaElement>(settings, 'Greeting in English').value).toBe('Welcome back, {name}!');
    expect(byLabel<HTMLTextAreaElement>(settings, 'Greeting in Русский').placeholder).toBe('Здравствуйте, {name}! Рады снова вас видеть.');
    type(byLabel(settings, 'Greeting in Русский'), 'С возвращением, {name}!');
    type(byLabel(settings, 'Greeting in English'), '');
    act(() => byLabel<HTMLInputElement>(settings, 'Let visitors choose a department').click());
    act(() => byLabel<HTMLInputElement>(settings, 'Sneak peek: see what visitors type before they send').click());
    choose(byLabel<HTMLSelectElement>(settings, 'Chats without a department'), 'manual');
    expect(settings.textContent).toContain('Chats wait in the queue until someone takes them.');
    act(() => button(settings, 'Save site settings').click());
    await settle();

    expect(writes(calls)).toEqual([
      expect.objectContaining({
        method: 'PATCH',
        path: '/sites/site-1',
        body: {
          tracking: { enabled: false, honor_dnt: true, stripped_params: ['email', 'gclid'] },
          greetings: { en: '', ru: 'С возвращением, {name}!', uk: '', ja: '' },
          mail: { notify_address: null, consent_text: null, auto_transcript: false },
          hours: null,
          chat: { choose_department: true, sneak_peek: true, routing: 'manual' },
        },
      }),
    ]);
    expect(settings.textContent).toContain('Settings saved.');
  });

  it('sets the offline mail and opening hours with holidays, and goes back to always open with null', async () => {
    const { root, calls } = await rulesPage('admin', (call) =>
      call.method === 'PATCH' ? site('site-1', { ...(call.body as object) }) : undefined,
    );
    const settings = root.querySelector<HTMLElement>('[aria-labelledby="site-settings-title"]')!;
    type(byLabel(settings, 'Send offline messages and missed chats to'), ' orders@shop.example ');
    type(byLabel(settings, 'Consent text under the offline form'), 'I agree to the <privacy policy>.');
    act(() => byLabel<HTMLInputElement>(settings, 'Email the transcript automatically when a chat ends').click());

    const hours = [...settings.querySelectorAll('fieldset')].find((f) => f.querySelector('legend')?.textContent === 'Opening hours')!;
    expect(byLabel<HTMLInputElement>(hours, 'Always open').checked).toBe(true);
    act(() => byLabel<HTMLInputElement>(hours, 'Always open').click());
    choose(byLabel<HTMLSelectElement>(hours, 'Time zone'), 'America/New_York');
    const label = (name: string) => hours.querySelector<HTMLElement>(`[aria-label="${name}"]`)!;
    act(() => label('Add hours on Saturday').click());
    type(label('Saturday, hours 1: closes') as HTMLInputElement, '13:00');
    act(() => label('Add hours on Monday').click());
    type(label('Monday, hours 2: opens') as HTMLInputElement, '19:00');
    type(label('Monday, hours 2: closes') as HTMLInputElement, '21:00');
    act(() => label('Remove Friday, hours 1').click());
    act(() => button(hours, 'Add holiday').click());
    type(label('Holiday 1: from') as HTMLInputElement, '2026-12-24');
    type(label('Holiday 1: until') as HTMLInputElement, '2026-12-26');
    act(() => button(hours, 'Add holiday').click());
    type(label('Holiday 2: from') as HTMLInputElement, '2027-01-01');
    act(() => button(settings, 'Save site settings').click());
    await settle();

    const nine = [{ open: '09:00', close: '18:00' }];
    expect(writes(calls)[0]!.body).toMatchObject({
      mail: { notify_address: 'orders@shop.example', consent_text: 'I agree to the <privacy policy>.', auto_transcript: true },
      hours: {
        time_zone: 'America/New_York',
        weekly: {
          mon: [...nine, { open: '19:00', close: '21:00' }],
          tue: nine,
          wed: nine,
          thu: nine,
          fri: [],
          sat: [{ open: '09:00', close: '13:00' }],
          sun: [],
        },
        holidays: [{ from: '2026-12-24', to: '2026-12-26' }, { from: '2027-01-01' }],
      },
    });
    expect(settings.textContent).toContain('Settings saved.');

    act(() => byLabel<HTMLInputElement>(hours, 'Always open').click());
    act(() => button(settings, 'Save site settings').click());
    await settle();
    expect(writes(calls)[1]!.body).toMatchObject({ hours: null });
    expect('hours' in (writes(calls)[1]!.body as object)).toBe(true);
  });

  it('shows what is wrong with the hours, and the server’s refusal', async () => {
    const { root, calls } = await rulesPage('admin', (call) =>
      call.method === 'PATCH' ? json(422, { error: 'invalid_input', message: 'unknown time zone "Mars/Olympus"' }) : undefined,
    );
    const settings = root.querySelector<HTMLElement>('[aria-labelledby="site-settings-title"]')!;
    act(() => byLabel<HTMLInputElement>(settings, 'Always open').click());
    const label = (name: string) => settings.querySelector<HTMLInputElement>(`[aria-label="${name}"]`)!;
    type(label('Tuesday, hours 1: closes'), '08:00');
    act(() => button(settings, 'Save site settings').click());
    await settle();
    expect(settings.querySelector('[role="alert"]')?.textContent).toBe('Tuesday: each interval must close after it opens.');
    expect(writes(calls)).toEqual([]);

    type(label('Tuesday, hours 1: closes'), '18:00');
    act(() => button(settings, 'Save site settings').click());
    await settle();
    expect(settings.querySelector('[role="alert"]')?.textContent).toBe('Some of the information is not valid. (unknown time zone "Mars/Olympus")');
  });

  it('is read-only for everyone else', async () => {
    const { root } = await rulesPage('supervisor');
    const settings = root.querySelector<HTMLElement>('[aria-labelledby="site-settings-title"]')!;
    expect(settings.textContent).toContain('Only administrators can change site settings.');
    expect([...settings.querySelectorAll('fieldset')].every((f) => f.disabled)).toBe(true);
    expect([...settings.querySelectorAll('button')].map((b) => b.textContent)).not.toContain('Save site settings');
  });
});
