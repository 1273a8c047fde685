import { useRef, useState } from 'preact/hooks';
import type { RoutingStrategy } from '../../../protocol/RoutingStrategy';
import type { SiteView } from '../../../protocol/SiteView';
import { ROUTING_STRATEGIES } from '../admin/department';
import type { Api, SiteUpdate } from '../api/http';
import { LANG_NAMES, LANGS, t, type Lang } from '../i18n/i18n';
import { businessHours, hoursForm, type HoursForm } from '../settings/hours';
import { apiErrorText } from './apiError';
import { FormError } from './FormError';
import { HoursEditor, hoursProblemText } from './HoursEditor';
import { chars } from './validate';

// The server's limits (`shopkeep-core` site.rs).
const MAX_PARAMS = 50;
const MAX_PARAM_CHARS = 100;
const MAX_GREETING_CHARS = 300;
const MAX_CONSENT_CHARS = 1000;

// What a site says when its own greeting is empty (`default_greeting` in site.rs), shown as the placeholder.
const BUILT_IN_GREETINGS: Record<Lang, string> = {
  en: 'Hello, {name}! Glad to see you again.',
  ru: 'Здравствуйте, {name}! Рады снова вас видеть.',
  uk: 'Вітаємо, {name}! Раді знову вас бачити.',
  ja: '{name}様、こんにちは！またお会いできて嬉しいです。',
};

export interface SiteForm {
  readonly enabled: boolean;
  readonly honorDnt: boolean;
  readonly params: readonly string[];
  readonly greetings: Readonly<Record<Lang, string>>;
  readonly notifyAddress: string;
  readonly consentText: string;
  readonly autoTranscript: boolean;
  readonly hours: HoursForm;
  readonly chooseDepartment: boolean;
  readonly sneakPeek: boolean;
  readonly routing: RoutingStrategy;
}

export function siteForm(site: SiteView): SiteForm {
  const greetings = Object.fromEntries(LANGS.map((l) => [l, site.greetings[l] ?? ''])) as Record<Lang, string>;
  return {
    enabled: site.tracking.enabled,
    honorDnt: site.tracking.honor_dnt,
    params: site.tracking.stripped_params,
    greetings,
    notifyAddress: site.mail.notify_address ?? '',
    consentText: site.mail.consent_text ?? '',
    autoTranscript: site.mail.auto_transcript,
    hours: hoursForm(site.hours),
    chooseDepartment: site.chat.choose_department,
    sneakPeek: site.chat.sneak_peek,
    routing: site.chat.routing,
  };
}

/**
 * The PATCH body for the form: every language sent, an empty greeting meaning the built-in one;
 * an empty notify address or consent text is `null` (none), and always open is `hours: null`.
 */
export function sitePatch(form: SiteForm): { ok: true; patch: SiteUpdate } | { ok: false; message: string } {
  const params = form.params.map((p) => p.trim()).filter((p) => p !== '');
  if (params.length > MAX_PARAMS || params.some((p) => chars(p) > MAX_PARAM_CHARS)) {
    return { ok: false, message: t('site.params_invalid') };
  }
  const greetings: Record<string, string> = {};
  for (const l of LANGS) {
    const text = form.greetings[l].trim();
    if (chars(text) > MAX_GREETING_CHARS) return { ok: false, message: t('site.greeting_invalid') };
    greetings[l] = text;
  }
  const consent = form.consentText.trim();
  if (chars(consent) > MAX_CONSENT_CHARS) return { ok: false, message: t('site.consent_invalid', { max: MAX_CONSENT_CHARS }) };
  const hours = businessHours(form.hours);
  if (!hours.ok) return { ok: false, message: hoursProblemText(hours.problem) };
  return {
    ok: true,
    patch: {
      tracking: { enabled: form.enabled, honor_dnt: form.honorDnt, stripped_params: params },
      greetings,
      mail: { notify_address: form.notifyAddress.trim() || null, consent_text: consent || null, auto_transcript: form.autoTranscript },
      hours: hours.hours,
      chat: { choose_department: form.chooseDepartment, sneak_peek: form.sneakPeek, routing: form.routing },
    },
  };
}

export interface SiteSettingsProps {
  api: Api;
  site: SiteView;
  /** Administrators only; everyone else sees the settings without controls to save them. */
  canEdit: boolean;
  onSaved(site: SiteView): void;
}

/** A site's privacy settings, returning-customer greetings, offline mail and opening hours. */
export function SiteSettings({ api, site, canEdit, onSaved }: SiteSettingsProps) {
  const [form, setForm] = useState<SiteForm>(() => siteForm(site));
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const list = useRef<HTMLUListElement>(null);
  const update = (patch: Partial<SiteForm>) => {
    setForm({ ...form, ...patch });
    setSaved(false);
  };
  const setParam = (i: number, value: string) => update({ params: form.params.map((p, j) => (j === i ? value : p)) });

  async function save(event: SubmitEvent) {
    event.preventDefault();
    const built = sitePatch(form);
    if (!built.ok) {
      setError(built.message);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const fresh = await api.updateSite(site.id, built.patch);
      setForm(siteForm(fresh));
      setSaved(true);
      onSaved(fresh);
    } catch (e) {
      setError(apiErrorText(e));
    } finally {
      setBusy(false);
    }
  }

  function addParam() {
    update({ params: [...form.params, ''] });
    // Focus the new, empty field once it is drawn.
    setTimeout(() => list.current?.querySelector<HTMLInputElement>('li:last-child input')?.focus());
  }

  return (
    <section class="card" aria-labelledby="site-settings-title">
      <h3 id="site-settings-title">{t('site.title')}</h3>
      {!canEdit && <p class="field__hint">{t('site.admin_only')}</p>}
      <form class="form" onSubmit={save} aria-busy={busy}>
        <fieldset class="plain" disabled={!canEdit}>
          <legend>{t('site.privacy')}</legend>
          <div class="check">
            <input
              id="site-tracking"
              type="checkbox"
              checked={form.enabled}
              onChange={(e) => update({ enabled: e.currentTarget.checked })}
            />
            <label for="site-tracking">{t('site.tracking')}</label>
          </div>
          <div class="check">
            <input
              id="site-dnt"
              type="checkbox"
              checked={form.honorDnt}
              onChange={(e) => update({ honorDnt: e.currentTarget.checked })}
            />
            <label for="site-dnt">{t('site.dnt')}</label>
          </div>
          <p class="field__label" id="site-params-label">
            {t('site.params')}
          </p>
          <ul class="params" ref={list} aria-labelledby="site-params-label">
            {form.params.map((p, i) => (
              <li key={i}>
                <input
                  class="mono"
                  value={p}
                  aria-label={t('site.param', { number: i + 1 })}
                  onInput={(e) => setParam(i, e.currentTarget.value)}
                />
                <button
                  class="button button--quiet button--small"
                  type="button"
                  aria-label={t('site.remove_param', { number: i + 1 })}
                  onClick={() => update({ params: form.params.filter((_, j) => j !== i) })}
                >
                  <span aria-hidden="true">✕</span>
                </button>
              </li>
            ))}
          </ul>
          <button class="button button--small" type="button" disabled={form.params.length >= MAX_PARAMS} onClick={addParam}>
            {t('site.add_param')}
          </button>
        </fieldset>

        <fieldset class="plain" disabled={!canEdit}>
          <legend>{t('site.greetings')}</legend>
          <p class="field__hint">{t('site.greetings_hint')}</p>
          {LANGS.map((l) => (
            <div class="field" key={l}>
              <label for={`greeting-${l}`}>{t('site.greeting', { language: LANG_NAMES[l] })}</label>
              <textarea
                id={`greeting-${l}`}
                lang={l}
                rows={2}
                value={form.greetings[l]}
                placeholder={BUILT_IN_GREETINGS[l]}
                onInput={(e) => update({ greetings: { ...form.greetings, [l]: e.currentTarget.value } })}
              />
            </div>
          ))}
        </fieldset>

        <fieldset class="plain" disabled={!canEdit}>
          <legend>{t('site.offline')}</legend>
          <div class="field">
            <label for="site-notify">{t('site.notify')}</label>
            <input
              id="site-notify"
              type="email"
              value={form.notifyAddress}
              aria-describedby="site-notify-hint"
              onInput={(e) => update({ notifyAddress: e.currentTarget.value })}
            />
            <span class="field__hint" id="site-notify-hint">
              {t('site.notify_hint')}
            </span>
          </div>
          <div class="field">
            <label for="site-consent">{t('site.consent')}</label>
            <textarea
              id="site-consent"
              rows={2}
              value={form.consentText}
              aria-describedby="site-consent-hint"
              onInput={(e) => update({ consentText: e.currentTarget.value })}
            />
            <span class="field__hint" id="site-consent-hint">
              {t('site.consent_hint')}
            </span>
          </div>
          <div class="check">
            <input
              id="site-auto-transcript"
              type="checkbox"
              checked={form.autoTranscript}
              aria-describedby="site-auto-transcript-hint"
              onChange={(e) => update({ autoTranscript: e.currentTarget.checked })}
            />
            <label for="site-auto-transcript">{t('site.auto_transcript')}</label>
          </div>
          <p class="field__hint" id="site-auto-transcript-hint">
            {t('site.auto_transcript_hint')}
          </p>
        </fieldset>

        <fieldset class="plain" disabled={!canEdit}>
          <legend>{t('site.chat')}</legend>
          <div class="check">
            <input
              id="site-choose-department"
              type="checkbox"
              checked={form.chooseDepartment}
              aria-describedby="site-choose-department-hint"
              onChange={(e) => update({ chooseDepartment: e.currentTarget.checked })}
            />
            <label for="site-choose-department">{t('site.choose_department')}</label>
          </div>
          <p class="field__hint" id="site-choose-department-hint">
            {t('site.choose_department_hint')}
          </p>
          <div class="check">
            <input
              id="site-sneak-peek"
              type="checkbox"
              checked={form.sneakPeek}
              onChange={(e) => update({ sneakPeek: e.currentTarget.checked })}
            />
            <label for="site-sneak-peek">{t('site.sneak_peek')}</label>
          </div>
          <div class="field">
            <label for="site-routing">{t('site.routing')}</label>
            <select
              id="site-routing"
              value={form.routing}
              aria-describedby="site-routing-hint"
              onChange={(e) => update({ routing: e.currentTarget.value as RoutingStrategy })}
            >
              {ROUTING_STRATEGIES.map((r) => (
                <option key={r} value={r}>
                  {t(`routing.${r}`)}
                </option>
              ))}
            </select>
            <span class="field__hint" id="site-routing-hint">
              {t(`routing.${form.routing}_hint`)}
            </span>
          </div>
        </fieldset>

        <HoursEditor form={form.hours} disabled={!canEdit} onChange={(hours) => update({ hours })} />

        <FormError message={error} />
        {saved && <p role="status">{t('site.saved')}</p>}
        {canEdit && (
          <div class="form__actions">
            <button class="button button--primary" type="submit" disabled={busy}>
              {t('site.save')}
            </button>
          </div>
        )}
      </form>
    </section>
  );
}
