import { expect, it } from 'vitest';
import type { Canned } from '../../../protocol/Canned';
import { cannedDraft, cannedForm, searchCanned } from './canned';

const canned = (shortcut: string, title: string, text: string, variants: Record<string, string> = {}): Canned => ({
  id: shortcut,
  site_id: 's1',
  owner: 'anna',
  updated_at: 0,
  shortcut,
  title,
  text,
  variants,
  shared: false,
});

it('finds answers by shortcut, title or text in any language', () => {
  const list = [canned('ship', 'Shipping', 'We ship in 2 days'), canned('hi', 'Hello', 'Hi {visitor.name}', { ru: 'Привет' })];
  expect(searchCanned(list, '/ship').map((c) => c.id)).toEqual(['ship']);
  expect(searchCanned(list, 'hello').map((c) => c.id)).toEqual(['hi']);
  expect(searchCanned(list, 'привет').map((c) => c.id)).toEqual(['hi']);
  expect(searchCanned(list, 'we days').map((c) => c.id)).toEqual(['ship']);
  expect(searchCanned(list, '').map((c) => c.id)).toEqual(['hi', 'ship']);
});

it('builds a draft with only the variants written', () => {
  const form = { ...cannedForm(null), shortcut: '/Ship', title: ' Shipping ', text: 'Soon', variants: { en: '', ru: 'Скоро', uk: ' ', ja: '' } };
  expect(cannedDraft(form)).toEqual({ ok: true, draft: { shortcut: 'ship', title: 'Shipping', text: 'Soon', variants: { ru: 'Скоро' }, shared: false } });
  expect(cannedDraft({ ...form, shortcut: 'two words' })).toEqual({ ok: false, reason: 'canned.shortcut_invalid' });
  expect(cannedDraft({ ...form, text: ' ' })).toEqual({ ok: false, reason: 'canned.text_invalid' });
});
