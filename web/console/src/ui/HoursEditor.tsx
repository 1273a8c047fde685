import type { OpenInterval } from '../../../protocol/OpenInterval';
import { t, type MessageKey } from '../i18n/i18n';
import { DAYS, MAX_HOLIDAYS, MAX_INTERVALS_PER_DAY, timeZones, type Day, type HolidayRow, type HoursForm, type HoursProblem } from '../settings/hours';

export const DAY_NAMES: Record<Day, MessageKey> = {
  mon: 'site.day_mon',
  tue: 'site.day_tue',
  wed: 'site.day_wed',
  thu: 'site.day_thu',
  fri: 'site.day_fri',
  sat: 'site.day_sat',
  sun: 'site.day_sun',
};

/** What is wrong with the hours, in words. */
export function hoursProblemText(problem: HoursProblem): string {
  switch (problem.kind) {
    case 'time_zone':
      return t('site.hours_time_zone');
    case 'time':
      return t('site.hours_time', { day: t(DAY_NAMES[problem.day]) });
    case 'order':
      return t('site.hours_order', { day: t(DAY_NAMES[problem.day]) });
    case 'overlap':
      return t('site.hours_overlap', { day: t(DAY_NAMES[problem.day]) });
    case 'too_many':
      return t('site.hours_too_many', { day: t(DAY_NAMES[problem.day]), max: MAX_INTERVALS_PER_DAY });
    case 'date':
      return t('site.holiday_date', { number: problem.number });
    case 'range':
      return t('site.holiday_range', { number: problem.number });
    case 'too_many_holidays':
      return t('site.holidays_too_many', { max: MAX_HOLIDAYS });
  }
}

// Listed once: the browser's zones do not change while the page is open.
const ZONES = timeZones();

/** Opening hours: a time zone, intervals per weekday and holidays; or always open. */
export function HoursEditor({ form, disabled, onChange }: { form: HoursForm; disabled: boolean; onChange(form: HoursForm): void }) {
  const update = (patch: Partial<HoursForm>) => onChange({ ...form, ...patch });
  const setDay = (day: Day, intervals: readonly OpenInterval[]) => update({ weekly: { ...form.weekly, [day]: intervals } });
  const setHoliday = (n: number, patch: Partial<HolidayRow>) =>
    update({ holidays: form.holidays.map((h, i) => (i === n ? { ...h, ...patch } : h)) });
  // A stored zone this browser does not list stays choosable.
  const zoneOptions = ZONES.length && !ZONES.includes(form.timeZone) && form.timeZone ? [form.timeZone, ...ZONES] : ZONES;

  return (
    <fieldset class="plain hours" disabled={disabled} aria-describedby="site-always-open-hint">
      <legend>{t('site.hours')}</legend>
      <div class="check">
        <input
          id="site-always-open"
          type="checkbox"
          checked={form.alwaysOpen}
          onChange={(e) => update({ alwaysOpen: e.currentTarget.checked })}
        />
        <label for="site-always-open">{t('site.always_open')}</label>
      </div>
      <p class="field__hint" id="site-always-open-hint">
        {t('site.always_open_hint')}
      </p>
      {!form.alwaysOpen && (
        <>
          <div class="field">
            <label for="site-time-zone">{t('site.time_zone')}</label>
            {zoneOptions.length > 0 ? (
              <select id="site-time-zone" value={form.timeZone} onChange={(e) => update({ timeZone: e.currentTarget.value })}>
                {zoneOptions.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id="site-time-zone"
                value={form.timeZone}
                placeholder="Europe/Berlin"
                onInput={(e) => update({ timeZone: e.currentTarget.value })}
              />
            )}
          </div>
          <ul class="hours__days">
            {DAYS.map((day) => {
              const name = t(DAY_NAMES[day]);
              const intervals = form.weekly[day];
              return (
                <li key={day} class="hours__day" data-day={day}>
                  <span class="hours__name" id={`hours-${day}`}>
                    {name}
                  </span>
                  <div class="hours__intervals">
                    {intervals.length === 0 && <span class="field__hint">{t('site.closed_all_day')}</span>}
                    {intervals.map((interval, n) => (
                      <span class="hours__interval" key={n}>
                        <input
                          class="hours__time"
                          value={interval.open}
                          placeholder={t('site.time_placeholder')}
                          inputMode="numeric"
                          aria-label={t('site.interval_open', { day: name, number: n + 1 })}
                          onInput={(e) => setDay(day, intervals.map((i, j) => (j === n ? { ...i, open: e.currentTarget.value } : i)))}
                        />
                        <span aria-hidden="true">–</span>
                        <input
                          class="hours__time"
                          value={interval.close}
                          placeholder={t('site.time_placeholder')}
                          inputMode="numeric"
                          aria-label={t('site.interval_close', { day: name, number: n + 1 })}
                          onInput={(e) => setDay(day, intervals.map((i, j) => (j === n ? { ...i, close: e.currentTarget.value } : i)))}
                        />
                        <button
                          class="button button--quiet button--small"
                          type="button"
                          aria-label={t('site.remove_interval', { day: name, number: n + 1 })}
                          onClick={() => setDay(day, intervals.filter((_, j) => j !== n))}
                        >
                          <span aria-hidden="true">✕</span>
                        </button>
                      </span>
                    ))}
                    <button
                      class="button button--small button--quiet"
                      type="button"
                      aria-label={t('site.add_interval_on', { day: name })}
                      disabled={intervals.length >= MAX_INTERVALS_PER_DAY}
                      onClick={() => setDay(day, [...intervals, intervals.length ? { open: '', close: '' } : { open: '09:00', close: '18:00' }])}
                    >
                      {t('site.add_interval')}
                    </button>
                  </div>
                </li>
              );
            })}
          </ul>
          <p class="field__label" id="site-holidays-label">
            {t('site.holidays')}
          </p>
          <p class="field__hint">{t('site.holidays_hint')}</p>
          {form.holidays.length === 0 ? (
            <p class="field__hint">{t('site.no_holidays')}</p>
          ) : (
            <ul class="hours__holidays" aria-labelledby="site-holidays-label">
              {form.holidays.map((h, n) => (
                <li key={n} class="hours__holiday">
                  <input
                    type="date"
                    value={h.from}
                    aria-label={t('site.holiday_from', { number: n + 1 })}
                    onInput={(e) => setHoliday(n, { from: e.currentTarget.value })}
                  />
                  <span aria-hidden="true">–</span>
                  <input
                    type="date"
                    value={h.to}
                    min={h.from || undefined}
                    aria-label={t('site.holiday_to', { number: n + 1 })}
                    onInput={(e) => setHoliday(n, { to: e.currentTarget.value })}
                  />
                  <button
                    class="button button--quiet button--small"
                    type="button"
                    aria-label={t('site.remove_holiday', { number: n + 1 })}
                    onClick={() => update({ holidays: form.holidays.filter((_, i) => i !== n) })}
                  >
                    <span aria-hidden="true">✕</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <button
            class="button button--small hours__add-holiday"
            type="button"
            disabled={form.holidays.length >= MAX_HOLIDAYS}
            onClick={() => update({ holidays: [...form.holidays, { from: '', to: '' }] })}
          >
            {t('site.add_holiday')}
          </button>
        </>
      )}
    </fieldset>
  );
}
