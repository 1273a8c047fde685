import { t } from '../i18n/i18n';
import { awayMinutes, setAwayMinutes } from './awayWatch';

const CHOICES = [0, 5, 10, 15, 30, 60] as const;

/** How long without input before the console sets me away; kept for this browser. */
export function AwaySetting() {
  const value = awayMinutes.value;
  const choices = CHOICES.includes(value as (typeof CHOICES)[number]) ? CHOICES : [...CHOICES, value].sort((a, b) => a - b);
  return (
    <div class="field">
      <label for="away-minutes">{t('away.label')}</label>
      <select id="away-minutes" value={String(value)} aria-describedby="away-hint" onChange={(e) => setAwayMinutes(Number(e.currentTarget.value))}>
        {choices.map((m) => (
          <option key={m} value={String(m)}>
            {m === 0 ? t('away.never') : t('away.minutes', { count: m })}
          </option>
        ))}
      </select>
      <span id="away-hint" class="field__hint">
        {t('away.hint')}
      </span>
    </div>
  );
}
