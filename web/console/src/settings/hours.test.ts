import { describe, expect, it } from 'vitest';
import type { BusinessHours } from '../../../protocol/BusinessHours';
import { businessHours, hoursForm, type HoursForm } from './hours';

const stored: BusinessHours = {
  time_zone: 'Europe/Berlin',
  weekly: {
    mon: [{ open: '09:00', close: '18:00' }],
    tue: [
      { open: '14:00', close: '18:00' },
      { open: '09:00', close: '12:30' },
    ],
    wed: [],
    thu: [],
    fri: [{ open: '09:00', close: '24:00' }],
    sat: [],
    sun: [],
  },
  holidays: [{ from: '2026-12-25', to: '2026-12-26' }, { from: '2027-01-01' }],
};

const open = (patch: Partial<HoursForm> = {}): HoursForm => ({ ...hoursForm(stored), ...patch });

describe('opening hours', () => {
  it('round-trips stored hours, ordering each day and leaving out a one-day holiday’s end', () => {
    const form = hoursForm(stored);
    expect(form.alwaysOpen).toBe(false);
    expect(form.holidays).toEqual([
      { from: '2026-12-25', to: '2026-12-26' },
      { from: '2027-01-01', to: '' },
    ]);
    const built = businessHours(form);
    expect(built).toEqual({
      ok: true,
      hours: {
        ...stored,
        weekly: {
          ...stored.weekly,
          tue: [
            { open: '09:00', close: '12:30' },
            { open: '14:00', close: '18:00' },
          ],
        },
      },
    });
    // What is sent is plain JSON the server reads as `BusinessHours`.
    expect(JSON.parse(JSON.stringify(built.ok && built.hours))).toEqual(built.ok && built.hours);
  });

  it('is null when always open, and starts from weekdays 9 to 6 when hours are first set', () => {
    const none = hoursForm(null);
    expect(none.alwaysOpen).toBe(true);
    expect(businessHours(none)).toEqual({ ok: true, hours: null });
    const first = businessHours({ ...none, alwaysOpen: false, timeZone: 'Asia/Tokyo' });
    expect(first.ok && first.hours).toEqual({
      time_zone: 'Asia/Tokyo',
      weekly: {
        mon: [{ open: '09:00', close: '18:00' }],
        tue: [{ open: '09:00', close: '18:00' }],
        wed: [{ open: '09:00', close: '18:00' }],
        thu: [{ open: '09:00', close: '18:00' }],
        fri: [{ open: '09:00', close: '18:00' }],
        sat: [],
        sun: [],
      },
      holidays: [],
    });
  });

  it('adds holidays as a single day or a range, a same-day range as a single day', () => {
    const built = businessHours(
      open({
        holidays: [
          { from: '2026-05-01', to: '' },
          { from: ' 2026-08-03 ', to: '2026-08-14' },
          { from: '2026-10-03', to: '2026-10-03' },
        ],
      }),
    );
    expect(built.ok && built.hours?.holidays).toEqual([
      { from: '2026-05-01' },
      { from: '2026-08-03', to: '2026-08-14' },
      { from: '2026-10-03' },
    ]);
  });

  it('names what is wrong', () => {
    const day = (mon: { open: string; close: string }[]) => businessHours(open({ weekly: { ...open().weekly, mon } }));
    expect(businessHours(open({ timeZone: ' ' }))).toEqual({ ok: false, problem: { kind: 'time_zone' } });
    expect(day([{ open: '9:00', close: '18:00' }])).toEqual({ ok: false, problem: { kind: 'time', day: 'mon' } });
    expect(day([{ open: '24:00', close: '24:00' }])).toEqual({ ok: false, problem: { kind: 'time', day: 'mon' } });
    expect(day([{ open: '18:00', close: '09:00' }])).toEqual({ ok: false, problem: { kind: 'order', day: 'mon' } });
    expect(
      day([
        { open: '09:00', close: '13:00' },
        { open: '12:00', close: '18:00' },
      ]),
    ).toEqual({ ok: false, problem: { kind: 'overlap', day: 'mon' } });
    expect(day(Array.from({ length: 5 }, (_, i) => ({ open: `0${i}:00`, close: `0${i}:30` })))).toEqual({
      ok: false,
      problem: { kind: 'too_many', day: 'mon' },
    });
    expect(businessHours(open({ holidays: [{ from: '', to: '' }] }))).toEqual({ ok: false, problem: { kind: 'date', number: 1 } });
    expect(businessHours(open({ holidays: [{ from: '2026-05-02', to: '2026-05-01' }] }))).toEqual({
      ok: false,
      problem: { kind: 'range', number: 1 },
    });
  });
});
