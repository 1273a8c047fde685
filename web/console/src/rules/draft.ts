import type { Comparison } from '../../../protocol/Comparison';
import type { Condition } from '../../../protocol/Condition';
import type { Rule } from '../../../protocol/Rule';
import type { RuleDraft } from '../../../protocol/RuleDraft';
import { countryName } from '../i18n/format';
import { t, type MessageKey } from '../i18n/i18n';
import { chars } from '../ui/validate';
import { valueText } from '../ui/visitorText';

export type ConditionKind = Condition['kind'];

export const CONDITION_KINDS: readonly ConditionKind[] = [
  'url_matches',
  'time_on_page',
  'pages_this_visit',
  'returning',
  'referrer_contains',
  'attribute',
  'language',
  'country',
];

export const COMPARISONS: readonly Comparison[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists'];

// The server's limits (`shopkeep-core` rules.rs), checked here first so the form can point at the field.
export const MAX_NAME_CHARS = 100;
export const MAX_TEXT_CHARS = 500;
export const MAX_CONDITION_CHARS = 500;
export const MAX_CONDITIONS = 20;
const MAX_U32 = 4_294_967_295;

/** A condition as the form holds it: one field per input, as typed. */
export interface ConditionForm {
  readonly kind: ConditionKind;
  readonly pattern: string;
  readonly seconds: string;
  readonly count: string;
  readonly returning: boolean;
  readonly text: string;
  readonly key: string;
  readonly op: Comparison;
  readonly value: string;
  readonly lang: string;
  readonly country: string;
}

export interface RuleForm {
  readonly name: string;
  readonly enabled: boolean;
  readonly conditions: readonly ConditionForm[];
  readonly text: string;
  readonly department: string;
}

export function blankCondition(kind: ConditionKind = 'url_matches'): ConditionForm {
  return { kind, pattern: '', seconds: '30', count: '2', returning: true, text: '', key: '', op: 'eq', value: '', lang: '', country: '' };
}

/** An attribute value as the operator would type it back. */
function valueInput(value: unknown): string {
  return value === null || value === undefined ? '' : valueText(value);
}

export function conditionForm(c: Condition): ConditionForm {
  const blank = blankCondition(c.kind);
  switch (c.kind) {
    case 'url_matches':
      return { ...blank, pattern: c.pattern };
    case 'time_on_page':
      return { ...blank, seconds: String(c.seconds) };
    case 'pages_this_visit':
      return { ...blank, count: String(c.count) };
    case 'returning':
      return { ...blank, returning: c.returning };
    case 'referrer_contains':
      return { ...blank, text: c.text };
    case 'attribute':
      return { ...blank, key: c.key, op: c.op, value: valueInput(c.value) };
    case 'language':
      return { ...blank, lang: c.lang };
    case 'country':
      return { ...blank, country: c.country };
  }
}

export function ruleForm(rule: Rule | null, defaultText: string): RuleForm {
  if (!rule) return { name: '', enabled: true, conditions: [], text: defaultText, department: '' };
  return {
    name: rule.name,
    enabled: rule.enabled,
    conditions: rule.conditions.map(conditionForm),
    text: rule.text,
    department: rule.department ?? '',
  };
}

/**
 * An attribute value as JSON: numbers when the text reads as one (so `>= 100` compares
 * numerically), `true`/`false` as booleans, anything else as the text itself.
 */
export function parseValue(input: string): unknown {
  const text = input.trim();
  if (text !== '' && Number.isFinite(Number(text))) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

type Checked<T> = { ok: true; value: T } | { ok: false; reason: MessageKey };

function bounded(text: string): Checked<string> {
  const value = text.trim();
  return value === '' || chars(value) > MAX_CONDITION_CHARS ? { ok: false, reason: 'cond.need_text' } : { ok: true, value };
}

function whole(text: string): Checked<number> {
  const value = text.trim();
  if (!/^\d+$/.test(value) || Number(value) > MAX_U32) return { ok: false, reason: 'cond.need_whole' };
  return { ok: true, value: Number(value) };
}

export function buildCondition(f: ConditionForm): Checked<Condition> {
  const wrap = <T>(checked: Checked<T>, make: (value: T) => Condition): Checked<Condition> =>
    checked.ok ? { ok: true, value: make(checked.value) } : checked;
  switch (f.kind) {
    case 'url_matches':
      return wrap(bounded(f.pattern), (pattern) => ({ kind: 'url_matches', pattern }));
    case 'time_on_page':
      return wrap(whole(f.seconds), (seconds) => ({ kind: 'time_on_page', seconds }));
    case 'pages_this_visit':
      return wrap(whole(f.count), (count) => ({ kind: 'pages_this_visit', count }));
    case 'returning':
      return { ok: true, value: { kind: 'returning', returning: f.returning } };
    case 'referrer_contains':
      return wrap(bounded(f.text), (text) => ({ kind: 'referrer_contains', text }));
    case 'language':
      return wrap(bounded(f.lang), (lang) => ({ kind: 'language', lang }));
    case 'country': {
      const country = f.country.trim().toUpperCase();
      if (!/^[A-Z]{2}$/.test(country)) return { ok: false, reason: 'cond.need_country' };
      return { ok: true, value: { kind: 'country', country } };
    }
    case 'attribute': {
      const key = bounded(f.key);
      if (!key.ok) return key;
      if (f.op === 'exists') return { ok: true, value: { kind: 'attribute', key: key.value, op: 'exists', value: null } };
      const value = parseValue(f.value);
      if (['gt', 'gte', 'lt', 'lte'].includes(f.op) && typeof value !== 'number') return { ok: false, reason: 'cond.need_number' };
      return { ok: true, value: { kind: 'attribute', key: key.value, op: f.op, value } };
    }
  }
}

export type Built = { ok: true; draft: RuleDraft } | { ok: false; message: string };

/** The RuleDraft the form describes, or the first thing to fix, in the console's language. */
export function buildDraft(form: RuleForm): Built {
  const name = form.name.trim();
  if (name === '' || chars(name) > MAX_NAME_CHARS) return { ok: false, message: t('rules.name_invalid') };
  const text = form.text.trim();
  if (text === '' || chars(text) > MAX_TEXT_CHARS) return { ok: false, message: t('rules.text_invalid') };
  const conditions: Condition[] = [];
  for (const [i, f] of form.conditions.entries()) {
    const built = buildCondition(f);
    if (!built.ok) return { ok: false, message: t('rules.condition_invalid', { number: i + 1, reason: t(built.reason) }) };
    conditions.push(built.value);
  }
  const department = form.department.trim();
  return { ok: true, draft: { name, enabled: form.enabled, conditions, text, department: department || null } };
}

export function draftOf(rule: Rule): RuleDraft {
  const { name, enabled, conditions, text, department } = rule;
  return { name, enabled, conditions, text, department };
}

/** One line describing a condition, for the rule list. */
export function conditionSummary(c: Condition): string {
  switch (c.kind) {
    case 'url_matches':
      return t('sum.url_matches', { pattern: c.pattern });
    case 'time_on_page':
      return t('sum.time_on_page', { seconds: c.seconds });
    case 'pages_this_visit':
      return t('sum.pages_this_visit', { count: c.count });
    case 'returning':
      return t(c.returning ? 'sum.returning' : 'sum.first_visit');
    case 'referrer_contains':
      return t('sum.referrer_contains', { text: c.text });
    case 'attribute':
      return c.op === 'exists'
        ? t('sum.attribute_exists', { key: c.key })
        : t('sum.attribute', { key: c.key, op: t(`op.${c.op}`), value: valueInput(c.value) });
    case 'language':
      return t('sum.language', { lang: c.lang });
    case 'country':
      return t('sum.country', { country: countryName(c.country) });
  }
}
