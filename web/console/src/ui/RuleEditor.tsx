import { useEffect, useRef, useState } from 'preact/hooks';
import type { Comparison } from '../../../protocol/Comparison';
import type { Rule } from '../../../protocol/Rule';
import type { RuleDraft } from '../../../protocol/RuleDraft';
import type { SiteId } from '../../../protocol/SiteId';
import type { VisitorId } from '../../../protocol/VisitorId';
import type { Api } from '../api/http';
import { followLink, visitorsPath } from '../app/route';
import { formatNumber } from '../i18n/format';
import { t } from '../i18n/i18n';
import {
  blankCondition,
  buildDraft,
  COMPARISONS,
  CONDITION_KINDS,
  MAX_CONDITIONS,
  ruleForm,
  type ConditionForm,
  type ConditionKind,
  type RuleForm,
} from '../rules/draft';
import type { ConsoleStore } from '../state/store';
import { siteDepartments } from '../team/departments';
import { apiErrorText } from './apiError';
import { FormError } from './FormError';
import { visitorLabel } from './visitorText';

// Preview lists this many visitors by name and counts the rest.
const PREVIEW_NAMES = 50;

interface Keyed {
  readonly key: number;
  readonly form: ConditionForm;
}

export interface RuleEditorProps {
  api: Api;
  store: ConsoleStore;
  site: SiteId;
  /** The rule to edit, or null for a new one. */
  rule: Rule | null;
  onSaved(rule: Rule): void;
  onCancel(): void;
}

/** Creates or edits one invitation rule, with a preview of the live visitors it would match. */
export function RuleEditor({ api, store, site, rule, onSaved, onCancel }: RuleEditorProps) {
  const [initial] = useState<RuleForm>(() => ruleForm(rule, t('invite.default')));
  const [name, setName] = useState(initial.name);
  const [enabled, setEnabled] = useState(initial.enabled);
  const [text, setText] = useState(initial.text);
  const [department, setDepartment] = useState(initial.department);
  const nextKey = useRef(0);
  const keyed = (form: ConditionForm): Keyed => ({ key: nextKey.current++, form });
  const [conditions, setConditions] = useState<readonly Keyed[]>(() => initial.conditions.map(keyed));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<readonly VisitorId[] | null>(null);
  const stopWatching = useRef<(() => void) | null>(null);
  const departments = siteDepartments(store.departments.value, site);

  useEffect(() => () => stopWatching.current?.(), []);

  const form = (): RuleForm => ({ name, enabled, text, department, conditions: conditions.map((c) => c.form) });
  const change = (key: number, patch: Partial<ConditionForm>) =>
    setConditions(conditions.map((c) => (c.key === key ? { key, form: { ...c.form, ...patch } } : c)));

  async function run(action: (draft: RuleDraft) => Promise<void>) {
    const built = buildDraft(form());
    if (!built.ok) {
      setError(built.message);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await action(built.draft);
    } catch (e) {
      setError(apiErrorText(e));
    } finally {
      setBusy(false);
    }
  }

  function save(event: SubmitEvent) {
    event.preventDefault();
    void run(async (draft) => onSaved(rule ? await api.updateRule(rule.id, draft) : await api.createRule(site, draft)));
  }

  function showPreview() {
    void run(async (draft) => {
      // Names for the matches come from the live list, followed from the first preview on.
      stopWatching.current ??= store.visitors.watch();
      setPreview(await api.previewRule(site, draft));
    });
  }

  const title = rule ? t('rules.form_edit') : t('rules.form_new');
  return (
    <section class="card rule-editor" aria-labelledby="rule-editor-title">
      <h3 id="rule-editor-title">{title}</h3>
      <form class="form" onSubmit={save} aria-busy={busy} noValidate>
        <div class="field">
          <label for="rule-name">{t('rules.name')}</label>
          <input id="rule-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="check">
          <input id="rule-enabled" type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
          <label for="rule-enabled">{t('rules.enabled')}</label>
        </div>

        <fieldset class="conds">
          <legend>{t('rules.conditions')}</legend>
          <p class="field__hint">{t(conditions.length ? 'rules.conditions_hint' : 'rules.no_conditions')}</p>
          {conditions.map((c, i) => (
            <ConditionRow
              key={c.key}
              id={`cond-${c.key}`}
              number={i + 1}
              form={c.form}
              onChange={(patch) => change(c.key, patch)}
              onRemove={() => setConditions(conditions.filter((x) => x.key !== c.key))}
            />
          ))}
          <button
            class="button"
            type="button"
            disabled={conditions.length >= MAX_CONDITIONS}
            onClick={() => setConditions([...conditions, keyed(blankCondition())])}
          >
            {t('rules.add_condition')}
          </button>
        </fieldset>

        <div class="field">
          <label for="rule-text">{t('invite.text')}</label>
          <textarea id="rule-text" rows={3} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="rule-department">{t('rules.department')}</label>
          <select
            id="rule-department"
            value={department}
            aria-describedby="rule-department-hint"
            onChange={(e) => setDepartment(e.currentTarget.value)}
          >
            <option value="">{t('rules.department_none')}</option>
            {departments.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
            {department && !departments.some((d) => d.id === department) && (
              <option value={department}>{t('rules.department_gone')}</option>
            )}
          </select>
          <p id="rule-department-hint" class="field__hint">
            {t('rules.department_choose_hint')}
          </p>
        </div>

        <FormError message={error} />
        <div class="form__actions">
          <button class="button button--primary" type="submit" disabled={busy}>
            {t('rules.save')}
          </button>
          <button class="button" type="button" disabled={busy} onClick={showPreview}>
            {t('rules.preview')}
          </button>
          <button class="button button--quiet" type="button" onClick={onCancel}>
            {t('rules.cancel')}
          </button>
        </div>
      </form>
      <div class="preview" aria-live="polite">
        {preview && <Preview store={store} ids={preview} />}
      </div>
    </section>
  );
}

function Preview({ store, ids }: { store: ConsoleStore; ids: readonly VisitorId[] }) {
  const rows = store.visitors.rows.value;
  if (ids.length === 0) return <p data-preview="count">{t('rules.preview_none')}</p>;
  const more = ids.length - PREVIEW_NAMES;
  return (
    <>
      <p data-preview="count">{t('rules.preview_some', { count: formatNumber(ids.length) })}</p>
      <ul class="preview__list">
        {ids.slice(0, PREVIEW_NAMES).map((id) => (
          <li key={id}>
            <a href={visitorsPath(id)} onClick={followLink}>
              {visitorLabel(id, rows.get(id)?.identity)}
            </a>
          </li>
        ))}
        {more > 0 && <li>+{formatNumber(more)}</li>}
      </ul>
    </>
  );
}

type TextField = 'pattern' | 'seconds' | 'count' | 'text' | 'key' | 'value' | 'lang' | 'country';

interface ConditionRowProps {
  id: string;
  number: number;
  form: ConditionForm;
  onChange(patch: Partial<ConditionForm>): void;
  onRemove(): void;
}

function ConditionRow({ id, number, form: f, onChange, onRemove }: ConditionRowProps) {
  const input = (field: TextField, label: string, extra: { numeric?: boolean; hint?: string; width?: string } = {}) => (
    <div class="field">
      <label for={`${id}-${field}`}>{label}</label>
      <input
        id={`${id}-${field}`}
        value={f[field]}
        inputMode={extra.numeric ? 'numeric' : undefined}
        style={extra.width ? { maxWidth: extra.width } : undefined}
        aria-describedby={extra.hint ? `${id}-${field}-hint` : undefined}
        onInput={(e) => onChange({ [field]: e.currentTarget.value })}
      />
      {extra.hint && (
        <p id={`${id}-${field}-hint`} class="field__hint">
          {extra.hint}
        </p>
      )}
    </div>
  );

  let fields;
  switch (f.kind) {
    case 'url_matches':
      fields = input('pattern', t('cond.pattern'), { hint: t('cond.pattern_hint') });
      break;
    case 'time_on_page':
      fields = input('seconds', t('cond.seconds'), { numeric: true, width: '10em' });
      break;
    case 'pages_this_visit':
      fields = input('count', t('cond.count'), { numeric: true, width: '10em' });
      break;
    case 'returning':
      fields = (
        <div class="field">
          <label for={`${id}-returning`}>{t('cond.who')}</label>
          <select
            id={`${id}-returning`}
            value={f.returning ? 'yes' : 'no'}
            onChange={(e) => onChange({ returning: e.currentTarget.value === 'yes' })}
          >
            <option value="yes">{t('cond.returning_yes')}</option>
            <option value="no">{t('cond.returning_no')}</option>
          </select>
        </div>
      );
      break;
    case 'referrer_contains':
      fields = input('text', t('cond.text'));
      break;
    case 'attribute':
      fields = (
        <>
          {input('key', t('cond.key'))}
          <div class="field">
            <label for={`${id}-op`}>{t('cond.op')}</label>
            <select id={`${id}-op`} value={f.op} onChange={(e) => onChange({ op: e.currentTarget.value as Comparison })}>
              {COMPARISONS.map((op) => (
                <option key={op} value={op}>
                  {t(`op.${op}`)}
                </option>
              ))}
            </select>
          </div>
          {f.op !== 'exists' && input('value', t('cond.value'), { hint: t('cond.value_hint') })}
        </>
      );
      break;
    case 'language':
      fields = input('lang', t('cond.lang'), { width: '10em' });
      break;
    case 'country':
      fields = input('country', t('cond.country_code'), { width: '6em' });
      break;
  }

  return (
    <fieldset class="cond" data-kind={f.kind}>
      <legend>{t('rules.condition', { number })}</legend>
      <div class="cond__fields">
        <div class="field">
          <label for={`${id}-kind`}>{t('cond.kind')}</label>
          <select id={`${id}-kind`} value={f.kind} onChange={(e) => onChange({ kind: e.currentTarget.value as ConditionKind })}>
            {CONDITION_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`cond.${kind}`)}
              </option>
            ))}
          </select>
        </div>
        {fields}
      </div>
      <button class="button button--quiet button--small" type="button" onClick={onRemove}>
        {t('rules.remove_condition')}
      </button>
    </fieldset>
  );
}
