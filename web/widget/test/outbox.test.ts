import { describe, expect, it } from 'vitest';
import { newMessageId, Outbox } from '../src/panel/outbox';

const KEY = 'shopkeep:pk_test:outbox';

describe('Outbox', () => {
  it('keeps unacknowledged messages across a reload, in order', () => {
    const before = new Outbox(KEY);
    before.add({ id: 'a', text: 'first', at: 1 });
    before.add({ id: 'b', text: 'second', at: 2 });
    const after = new Outbox(KEY);
    expect(after.list()).toEqual([
      { id: 'a', text: 'first', at: 1 },
      { id: 'b', text: 'second', at: 2 },
    ]);
  });

  it('forgets removed messages and clears the storage entry when empty', () => {
    const outbox = new Outbox(KEY);
    outbox.add({ id: 'a', text: 'first', at: 1 });
    expect(outbox.remove('a')).toEqual({ id: 'a', text: 'first', at: 1 });
    expect(outbox.remove('a')).toBeUndefined();
    expect(new Outbox(KEY).list()).toEqual([]);
    expect(sessionStorage.getItem(KEY)).toBeNull();
  });

  it('adds a message once per id', () => {
    const outbox = new Outbox(KEY);
    outbox.add({ id: 'a', text: 'first', at: 1 });
    outbox.add({ id: 'a', text: 'first', at: 1 });
    expect(outbox.list()).toHaveLength(1);
  });

  it('ignores damaged or foreign storage content', () => {
    sessionStorage.setItem(KEY, '{not json');
    expect(new Outbox(KEY).list()).toEqual([]);
    sessionStorage.setItem(KEY, JSON.stringify([{ id: 'ok', text: 't', at: 1 }, { id: '<bad id>', text: 't', at: 1 }, 42]));
    expect(new Outbox(KEY).list().map((d) => d.id)).toEqual(['ok']);
  });

  it('makes ids the server accepts, different every time', () => {
    const ids = new Set(Array.from({ length: 100 }, newMessageId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });
});
