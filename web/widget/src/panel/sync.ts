// Every event of every conversation exactly once and in seq order, whatever the socket
// does: duplicates are dropped, gaps are held back and filled with `sync`. Staff-only
// events never reach the visitor, so the event after them names the one it follows
// (`visible_prev`) instead of leaving a gap that would never fill.
// Pure: it returns what to show and what to ask; the store does the sending.
import type { ConversationId } from '../../../protocol/ConversationId';
import type { ConversationView } from '../../../protocol/ConversationView';
import type { Event } from '../../../protocol/Event';
import type { History } from '../../../protocol/History';

/** A `sync` frame to send. */
export interface SyncRequest {
  conversation_id: ConversationId;
  after_seq: number;
}

/** The outcome of one incoming frame. */
export interface Step {
  /** Events to show, in order; each exactly once over the lifetime of the tracker. */
  applied: Event[];
  request: SyncRequest | null;
}

interface Track {
  last: number;
  /** Events past a gap, by seq, until the gap is filled. */
  held: Map<number, Event>;
  /** The same events by the seq they follow, for those that name it (`visible_prev`). */
  follows: Map<number, Event>;
  /** A `sync` is in flight on the current socket. */
  asking: boolean;
}

export class EventSync {
  private readonly tracks = new Map<ConversationId, Track>();

  /** The highest seq applied in `conversation`; 0 for one not seen yet. */
  last(conversation: ConversationId): number {
    return this.tracks.get(conversation)?.last ?? 0;
  }

  /**
   * A new socket was welcomed: requests of the previous one are lost. Asks for what is
   * missing of the visitor's conversation; everything, after a page load.
   */
  welcome(view: ConversationView | null): SyncRequest | null {
    for (const track of this.tracks.values()) track.asking = false;
    return view && this.view(view);
  }

  /**
   * The visitor's conversation is `view` now (an accepted invitation, or a customer
   * recognised on another device): asks for what is missing of it, unless already asking.
   */
  view(view: ConversationView): SyncRequest | null {
    const track = this.track(view.id);
    return !track.asking && (view.last_seq > track.last || track.held.size) ? this.ask(view.id, track) : null;
  }

  event(event: Event): Step {
    const track = this.track(event.conversation_id);
    const applied = this.take(track, [event]);
    const gap = track.held.size > 0 && !track.asking;
    return { applied, request: gap ? this.ask(event.conversation_id, track) : null };
  }

  history(history: History): Step {
    const track = this.track(history.conversation_id);
    track.asking = false;
    const before = track.last;
    const applied = this.take(track, history.events);
    // Ask again while the answer was a page of a longer history, or a gap remains. Only
    // after progress, so an answer that brings nothing new cannot start a loop.
    const more = track.last < history.last_seq || track.held.size > 0;
    const request = more && track.last > before ? this.ask(history.conversation_id, track) : null;
    return { applied, request };
  }

  private track(conversation: ConversationId): Track {
    let track = this.tracks.get(conversation);
    if (!track) {
      track = { last: 0, held: new Map(), follows: new Map(), asking: false };
      this.tracks.set(conversation, track);
    }
    return track;
  }

  private take(track: Track, events: Event[]): Event[] {
    for (const event of events) {
      if (event.seq <= track.last) continue;
      track.held.set(event.seq, event);
      if (event.visible_prev !== undefined) track.follows.set(event.visible_prev, event);
    }
    const applied: Event[] = [];
    for (let next = this.next(track); next; next = this.next(track)) {
      track.last = next.seq;
      applied.push(next);
    }
    if (applied.length) {
      // What a jump passed over can no longer come next (only a duplicate could be there).
      for (const seq of track.held.keys()) if (seq <= track.last) track.held.delete(seq);
      for (const prev of track.follows.keys()) if (prev < track.last) track.follows.delete(prev);
    }
    return applied;
  }

  /** The held event that comes right after the last applied one, taken out of the hold. */
  private next(track: Track): Event | undefined {
    const byPrev = track.follows.get(track.last);
    const next = byPrev && byPrev.seq > track.last ? byPrev : track.held.get(track.last + 1);
    if (next) {
      track.held.delete(next.seq);
      track.follows.delete(track.last);
    }
    return next;
  }

  private ask(conversation: ConversationId, track: Track): SyncRequest {
    track.asking = true;
    return { conversation_id: conversation, after_seq: track.last };
  }
}
