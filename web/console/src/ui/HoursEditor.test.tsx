import { useState } from 'preact/hooks';
import { act } from 'preact/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { businessHours, hoursForm, type HoursForm } from '../settings/hours';
import { byLabel, mount, type } from '../test/render';

// The editor lists the browser's zones once, when it is loaded: load it after mocking them.
let HoursEditor: typeof import('./HoursEditor').HoursEditor;
async function loadEditor() {
  vi.resetModules();
  ({ HoursEditor } = await import('./HoursEditor'));
}

function Harness({ start, seen }: { start: HoursForm; seen: (form: HoursForm) => void }) {
  const [form, setForm] = useState(start);
  return (
    <HoursEditor
      form={form}
      disabled={false}
      onChange={(next) => {
        setForm(next);
        seen(next);
      }}
    />
  );
}

describe('the opening hours editor', () => {
  it('offers the browser’s time zones, keeping a stored zone it does not list', async () => {
    vi.spyOn(Intl, 'supportedValuesOf').mockReturnValue(['Europe/Berlin', 'UTC']);
    await loadEditor();
    const start = { ...hoursForm(null), alwaysOpen: false, timeZone: 'Asia/Kolkata' };
    const root = mount(<Harness start={start} seen={() => undefined} />);
    const zone = byLabel<HTMLSelectElement>(root, 'Time zone');
    expect(zone.tagName).toBe('SELECT');
    expect([...zone.options].map((o) => o.value)).toEqual(['Asia/Kolkata', 'Europe/Berlin', 'UTC']);
    expect(zone.value).toBe('Asia/Kolkata');
  });

  it('falls back to a text field when the browser cannot list time zones', async () => {
    vi.spyOn(Intl, 'supportedValuesOf').mockImplementation(() => {
      throw new RangeError('unsupported');
    });
    await loadEditor();
    let last: HoursForm | null = null;
    const root = mount(<Harness start={{ ...hoursForm(null), alwaysOpen: false, timeZone: '' }} seen={(f) => (last = f)} />);
    const zone = byLabel<HTMLInputElement>(root, 'Time zone');
    expect(zone.tagName).toBe('INPUT');
    type(zone, 'Pacific/Auckland');
    const built = businessHours(last!);
    expect(built.ok && built.hours?.time_zone).toBe('Pacific/Auckland');
  });

  it('lists the time zones once, not on every change', async () => {
    const list = vi.spyOn(Intl, 'supportedValuesOf').mockReturnValue(['Europe/Berlin', 'UTC']);
    await loadEditor();
    const root = mount(<Harness start={{ ...hoursForm(null), alwaysOpen: false, timeZone: 'UTC' }} seen={() => undefined} />);
    act(() => byLabel<HTMLInputElement>(root, 'Always open').click());
    act(() => byLabel<HTMLInputElement>(root, 'Always open').click());
    expect(byLabel<HTMLSelectElement>(root, 'Time zone').value).toBe('UTC');
    expect(list).toHaveBeenCalledTimes(1);
  });
});
