import { describe, expect, it } from 'vitest';
import type { Condition } from '../../../protocol/Condition';
import { blankCondition, buildDraft, conditionForm, conditionSummary, parseValue, ruleForm, type RuleForm } from './draft';

const form = (fields: Partial<RuleForm> = {}): RuleForm => ({
  name: 'Checkout help',
  enabled: true,
  conditions: [],
  text: 'Need a hand?',
  department: '',
  ...fields,
});

describe('buildDraft', () => {
  it('turns every kind of condition into its wire form', () => {
    const conditions = [
      { ...blankCondition('url_matches'), pattern: ' /checkout* ' },
      { ...blankCondition('time_on_page'), seconds: '30' },
      { ...blankCondition('pages_this_visit'), count: '3' },
      { ...blankCondition('returning'), returning: false },
      { ...blankCondition('referrer_contains'), text: 'google' },
      { ...blankCondition('attribute'), key: 'cart_total', op: 'gte' as const, value: '100.5' },
      { ...blankCondition('attribute'), key: 'plan', op: 'eq' as const, value: 'gold' },
      { ...blankCondition('attribute'), key: 'vip', op: 'ne' as const, value: 'true' },
      { ...blankCondition('attribute'), key: 'coupon', op: 'exists' as const, value: 'ignored' },
      { ...blankCondition('language'), lang: 'ru' },
      { ...blankCondition('country'), country: 'de' },
    ];
    const built = buildDraft(form({ conditions, department: '  Sales ', name: '  Checkout help ', text: ' Need a hand? ' }));
    expect(built).toEqual({
      ok: true,
      draft: {
        name: 'Checkout help',
        enabled: true,
        text: 'Need a hand?',
        department: 'Sales',
        conditions: [
          { kind: 'url_matches', pattern: '/checkout*' },
          { kind: 'time_on_page', seconds: 30 },
          { kind: 'pages_this_visit', count: 3 },
          { kind: 'returning', returning: false },
          { kind: 'referrer_contains', text: 'google' },
          { kind: 'attribute', key: 'cart_total', op: 'gte', value: 100.5 },
          { kind: 'attribute', key: 'plan', op: 'eq', value: 'gold' },
          { kind: 'attribute', key: 'vip', op: 'ne', value: true },
          { kind: 'attribute', key: 'coupon', op: 'exists', value: null },
          { kind: 'language', lang: 'ru' },
          { kind: 'country', country: 'DE' },
        ],
      },
    });
  });

  it('sends no department when the field is empty', () => {
    expect(buildDraft(form())).toMatchObject({ ok: true, draft: { department: null, conditions: [] } });
  });

  it('names the first thing to fix', () => {
    expect(buildDraft(form({ name: ' ' }))).toEqual({ ok: false, message: 'Give the rule a name of up to 100 characters.' });
    expect(buildDraft(form({ text: 'x'.repeat(501) }))).toEqual({ ok: false, message: 'The invitation text must be 1 to 500 characters.' });
    const bad = (c: Partial<ReturnType<typeof blankCondition>>) =>
      buildDraft(form({ conditions: [blankCondition('returning'), { ...blankCondition(), ...c }] }));
    expect(bad({ kind: 'url_matches', pattern: '' })).toEqual({ ok: false, message: 'Condition 2: fill it in (up to 500 characters)' });
    expect(bad({ kind: 'time_on_page', seconds: '-1' })).toEqual({ ok: false, message: 'Condition 2: enter a whole number, 0 or more' });
    expect(bad({ kind: 'pages_this_visit', count: '2.5' })).toMatchObject({ ok: false });
    expect(bad({ kind: 'country', country: 'Germany' })).toEqual({ ok: false, message: 'Condition 2: use a two-letter country code, such as DE' });
    expect(bad({ kind: 'attribute', key: 'total', op: 'gt', value: 'lots' })).toEqual({ ok: false, message: 'Condition 2: this comparison needs a number' });
  });
});

describe('values and round trips', () => {
  it('types attribute values: numbers, booleans, else text', () => {
    expect(parseValue('42')).toBe(42);
    expect(parseValue(' -1.5 ')).toBe(-1.5);
    expect(parseValue('true')).toBe(true);
    expect(parseValue('12 apples')).toBe('12 apples');
    expect(parseValue('')).toBe('');
  });

  it('reads a stored rule back into the form it came from', () => {
    const conditions: Condition[] = [
      { kind: 'attribute', key: 'total', op: 'lt', value: 10 },
      { kind: 'attribute', key: 'vip', op: 'eq', value: false },
      { kind: 'time_on_page', seconds: 15 },
      { kind: 'country', country: 'SE' },
    ];
    const rule = { id: 'r', site_id: 's', created_at: 0, updated_at: 0, name: 'N', enabled: false, conditions, text: 'T', department: null };
    const f = ruleForm(rule, 'default');
    const field = { attribute: 'value', time_on_page: 'seconds', country: 'country' } as const;
    expect(f.conditions.map((c) => [c.kind, c[field[c.kind as keyof typeof field]]])).toEqual([
      ['attribute', '10'],
      ['attribute', 'false'],
      ['time_on_page', '15'],
      ['country', 'SE'],
    ]);
    expect(buildDraft(f)).toEqual({ ok: true, draft: { name: 'N', enabled: false, conditions, text: 'T', department: null } });
    expect(ruleForm(null, 'Hello!')).toMatchObject({ text: 'Hello!', enabled: true, conditions: [] });
    expect(conditionForm({ kind: 'returning', returning: false }).returning).toBe(false);
  });

  it('summarises conditions in words', () => {
    expect(conditionSummary({ kind: 'url_matches', pattern: '/cart*' })).toBe('Address matches /cart*');
    expect(conditionSummary({ kind: 'time_on_page', seconds: 30 })).toBe('On the page for 30 s or more');
    expect(conditionSummary({ kind: 'returning', returning: true })).toBe('Returning visitor');
    expect(conditionSummary({ kind: 'attribute', key: 'total', op: 'gte', value: 100 })).toBe('total is at least 100');
    expect(conditionSummary({ kind: 'attribute', key: 'coupon', op: 'exists', value: null })).toBe('coupon is set');
    expect(conditionSummary({ kind: 'country', country: 'DE' })).toBe('Country: Germany');
  });
});
