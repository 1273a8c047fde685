import { describe, expect, it } from 'vitest';
import { EventSync } from '../src/panel/sync';
import { CONV, event, events, view } from './fixtures';

const seqs = (list: { seq: number }[]) => list.map((e) => e.seq);

describe('EventSync', () => {
  it('asks for the whole conversation after a page load', () => {
    const sync = new EventSync();
    expect(sync.welcome(view(7))).toEqual({ conversation_id: CONV, after_seq: 0 });
  });

  it('asks nothing when there is no conversation or nothing new', () => {
    const sync = new EventSync();
    expect(sync.welcome(null)).toBeNull();
    expect(sync.welcome(view(0))).toBeNull();
  });

  it('asks for what is missing of a conversation the visitor is moved to, once', () => {
    const sync = new EventSync();
    sync.welcome(view(2));
    sync.history({ conversation_id: CONV, events: events(1, 2), last_seq: 2 });
    expect(sync.view(view(1, 'c-2'))).toEqual({ conversation_id: 'c-2', after_seq: 0 });
    // Already asking: the answer brings it.
    expect(sync.view(view(1, 'c-2'))).toBeNull();
    expect(sync.view(view(2))).toBeNull();
    expect(sync.view(view(4))).toEqual({ conversation_id: CONV, after_seq: 2 });
  });

  it('asks again from the last applied seq after a reconnect', () => {
    const sync = new EventSync();
    sync.welcome(view(3));
    sync.history({ conversation_id: CONV, events: events(1, 3), last_seq: 3 });
    expect(sync.welcome(view(5))).toEqual({ conversation_id: CONV, after_seq: 3 });
    expect(sync.welcome(view(3))).toBeNull();
  });

  it('applies events in order and drops duplicates', () => {
    const sync = new EventSync();
    expect(seqs(sync.event(event(1)).applied)).toEqual([1]);
    expect(seqs(sync.event(event(2)).applied)).toEqual([2]);
    expect(sync.event(event(2))).toEqual({ applied: [], request: null });
    expect(sync.event(event(1))).toEqual({ applied: [], request: null });
    expect(sync.last(CONV)).toBe(2);
  });

  it('holds an event past a gap, asks for the gap, then applies everything in order', () => {
    const sync = new EventSync();
    sync.event(event(1));
    const held = sync.event(event(4));
    expect(held).toEqual({ applied: [], request: { conversation_id: CONV, after_seq: 1 } });

    // A second event past the gap while the sync is in flight: no second request.
    expect(sync.event(event(5))).toEqual({ applied: [], request: null });

    const filled = sync.history({ conversation_id: CONV, events: events(2, 4), last_seq: 4 });
    expect(seqs(filled.applied)).toEqual([2, 3, 4, 5]);
    expect(filled.request).toBeNull();
    expect(sync.last(CONV)).toBe(5);
  });

  it('applies an in-order event that arrives while the gap is being filled', () => {
    const sync = new EventSync();
    sync.event(event(1));
    sync.event(event(3));
    expect(seqs(sync.event(event(2)).applied)).toEqual([2, 3]);
    // The history that answers the earlier request only brings duplicates now.
    expect(sync.history({ conversation_id: CONV, events: events(2, 3), last_seq: 3 })).toEqual({
      applied: [],
      request: null,
    });
  });

  it('pages through a long history', () => {
    const sync = new EventSync();
    sync.welcome(view(1200));
    const first = sync.history({ conversation_id: CONV, events: events(1, 500), last_seq: 1200 });
    expect(first.applied).toHaveLength(500);
    expect(first.request).toEqual({ conversation_id: CONV, after_seq: 500 });
    const second = sync.history({ conversation_id: CONV, events: events(501, 1000), last_seq: 1200 });
    expect(second.request).toEqual({ conversation_id: CONV, after_seq: 1000 });
    const last = sync.history({ conversation_id: CONV, events: events(1001, 1200), last_seq: 1200 });
    expect(last.request).toBeNull();
    expect(sync.last(CONV)).toBe(1200);
  });

  it('does not loop when an answer brings nothing new', () => {
    const sync = new EventSync();
    sync.welcome(view(9));
    expect(sync.history({ conversation_id: CONV, events: [], last_seq: 9 }).request).toBeNull();
  });

  it('asks again after a reconnect even when a request was in flight', () => {
    const sync = new EventSync();
    sync.event(event(1));
    expect(sync.event(event(3)).request).not.toBeNull();
    // The socket died before the answer; the new socket must ask again.
    expect(sync.welcome(view(3))).toEqual({ conversation_id: CONV, after_seq: 1 });
  });

  it('keeps conversations apart', () => {
    const sync = new EventSync();
    sync.event(event(1));
    sync.event(event(2));
    const other = sync.event(event(1, { conversation_id: 'c-2' }));
    expect(seqs(other.applied)).toEqual([1]);
    expect(sync.last(CONV)).toBe(2);
    expect(sync.last('c-2')).toBe(1);
    // A new conversation seen first past its start: the gap is asked for from 0.
    expect(sync.event(event(2, { conversation_id: 'c-3' })).request).toEqual({ conversation_id: 'c-3', after_seq: 0 });
  });
});

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number) {
  // Spread small seeds over the whole state, then warm up: xorshift starts slowly from few bits.
  let state = Math.imul(seed, 0x9e3779b1) >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  for (let i = 0; i < 8; i++) next();
  return { next, int: (below: number) => Math.floor(next() * below) };
}

/**
 * The visitor's side of a conversation of `length` seqs where some are staff-only: the
 * events they can see, each naming the one it follows when staff-only ones lie between
 * (or always, as a server may).
 */
function visibleEvents(rng: ReturnType<typeof random>, length: number, always: boolean) {
  const list = [];
  let prev = 0;
  for (let seq = 1; seq <= length; seq++) {
    if (rng.next() < 0.35) continue;
    list.push(event(seq, always || prev !== seq - 1 ? { visible_prev: prev } : {}));
    prev = seq;
  }
  return list;
}

/** The server's answer to `sync`: a page of what the visitor can see after `after_seq`. */
function page(all: ReturnType<typeof event>[], after_seq: number, size: number) {
  const events = all.filter((e) => e.seq > after_seq).slice(0, size);
  return { conversation_id: CONV, events, last_seq: all.at(-1)?.seq ?? 0 };
}

describe('EventSync with staff-only events between', () => {
  it('applies an event that follows the last applied one at once, asking nothing', () => {
    const sync = new EventSync();
    sync.event(event(1));
    expect(sync.event(event(4, { visible_prev: 1 }))).toEqual({ applied: [event(4, { visible_prev: 1 })], request: null });
    expect(sync.last(CONV)).toBe(4);
    // A first visible event after staff-only ones follows 0.
    expect(seqs(sync.event(event(3, { conversation_id: 'c-2', visible_prev: 0 })).applied)).toEqual([3]);
  });

  it('still holds an event that follows one not seen yet, and asks for it', () => {
    const sync = new EventSync();
    sync.event(event(1));
    expect(sync.event(event(6, { visible_prev: 4 }))).toEqual({ applied: [], request: { conversation_id: CONV, after_seq: 1 } });
    const filled = sync.history({ conversation_id: CONV, events: [event(4, { visible_prev: 1 }), event(6, { visible_prev: 4 })], last_seq: 6 });
    expect(seqs(filled.applied)).toEqual([4, 6]);
    expect(filled.request).toBeNull();
  });

  it('pages through a history with staff-only events between and at a page’s edge', () => {
    const sync = new EventSync();
    sync.welcome(view(9));
    const first = sync.history({ conversation_id: CONV, events: [event(1), event(3, { visible_prev: 1 })], last_seq: 9 });
    expect(seqs(first.applied)).toEqual([1, 3]);
    expect(first.request).toEqual({ conversation_id: CONV, after_seq: 3 });
    const last = sync.history({ conversation_id: CONV, events: [event(7, { visible_prev: 3 }), event(8), event(9)], last_seq: 9 });
    expect(seqs(last.applied)).toEqual([7, 8, 9]);
    expect(last.request).toBeNull();
  });

  it('drops duplicates of events it jumped past', () => {
    const sync = new EventSync();
    sync.event(event(2, { visible_prev: 0 }));
    expect(sync.event(event(2, { visible_prev: 0 }))).toEqual({ applied: [], request: null });
    expect(sync.event(event(5, { visible_prev: 2 })).applied).toHaveLength(1);
    expect(sync.event(event(2, { visible_prev: 0 }))).toEqual({ applied: [], request: null });
  });

  for (const always of [false, true]) {
    const naming = always ? 'every event names its predecessor' : 'only events after a staff-only one name it';
    it(`property: delivered in order, every event shows at once and nothing is asked (${naming})`, () => {
      let jumps = 0;
      for (let seed = 1; seed <= 200; seed++) {
        const rng = random(seed);
        const all = visibleEvents(rng, 1 + rng.int(60), always);
        const sync = new EventSync();
        jumps += all.filter((e, i) => e.seq !== (all[i - 1]?.seq ?? 0) + 1).length;
        for (const e of all) {
          expect(sync.event(e), `seed ${seed}, seq ${e.seq}`).toEqual({ applied: [e], request: null });
        }
      }
      // The cases do have staff-only events between.
      expect(jumps).toBeGreaterThan(1000);
    });

    it(`property: shuffled, duplicated and lost events end up shown once and in order (${naming})`, () => {
      for (let seed = 1; seed <= 200; seed++) {
        const rng = random(seed);
        const all = visibleEvents(rng, 1 + rng.int(60), always);
        const size = 1 + rng.int(8);
        const sync = new EventSync();
        const shown: number[] = [];
        const requests = [];
        const take = (step: ReturnType<EventSync['event']>) => {
          shown.push(...seqs(step.applied));
          if (step.request) requests.push(step.request);
        };
        // Page load: a partial view, then the live events the socket lets through.
        const start = rng.int(all.length + 1);
        const known = all[start - 1]?.seq ?? 0;
        const first = sync.welcome(view(known));
        if (first) requests.push(first);
        const live = all.slice(start).flatMap((e) => (rng.next() < 0.2 ? [] : rng.next() < 0.2 ? [e, e] : [e]));
        for (let i = live.length - 1; i > 0; i--) {
          if (rng.next() < 0.3) {
            const j = rng.int(i + 1);
            [live[i], live[j]] = [live[j]!, live[i]!];
          }
        }
        // Live events and answers to the requests interleave.
        let guard = 0;
        while ((live.length || requests.length) && guard++ < 1000) {
          if (live.length && (!requests.length || rng.next() < 0.5)) take(sync.event(live.shift()!));
          else take(sync.history(page(all, requests.shift()!.after_seq, size)));
        }
        // Whatever was lost last, the next welcome asks for it.
        const again = sync.welcome(view(all.at(-1)?.seq ?? 0));
        if (again) requests.push(again);
        while (requests.length && guard++ < 2000) take(sync.history(page(all, requests.shift()!.after_seq, size)));
        expect(shown, `seed ${seed}`).toEqual(seqs(all));
      }
    });
  }
});
