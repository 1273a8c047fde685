import type { Author } from '../../../protocol/Author';
import type { ConversationSummary } from '../../../protocol/ConversationSummary';
import type { Event } from '../../../protocol/Event';
import type { LiveVisitor } from '../../../protocol/LiveVisitor';
import type { Me } from '../../../protocol/Me';
import type { VisitorProfile } from '../../../protocol/VisitorProfile';

export const ME: Me = {
  id: 'staff-anna',
  name: 'Anna',
  email: 'anna@example.com',
  role: 'operator',
  status: 'online',
  lang: 'en',
  photo: null,
  departments: [],
  max_chats: 5,
};

export const T0 = Date.UTC(2026, 2, 12, 9, 0, 0);

export const visitor: Author = { kind: 'visitor' };
export const anna: Author = { kind: 'agent', id: ME.id, name: ME.name };
export const bo: Author = { kind: 'agent', id: 'staff-bo', name: 'Bo' };

export function textEvent(conversation_id: string, seq: number, text: string, author: Author = visitor): Event {
  return { conversation_id, seq, at: T0 + seq * 1000, author, body: { kind: 'message', text } };
}

export function summary(id: string, fields: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id,
    site_id: 'site-1',
    visitor_id: `visitor-${id}`,
    visitor_label: `Visitor ${id}`,
    status: 'waiting',
    assignee: null,
    participants: [],
    department: null,
    tags: [],
    unanswered_since: null,
    assigned_at: null,
    last_seq: 0,
    visible_seq: 0,
    receipts: { agent_delivered: 0, visitor_delivered: 0, agent_read: 0, visitor_read: 0 },
    last_message: null,
    created_at: T0,
    updated_at: T0,
    ...fields,
  };
}

export function liveVisitor(id: string, fields: Partial<LiveVisitor> = {}): LiveVisitor {
  return {
    visitor_id: id,
    site_id: 'site-1',
    visit_id: `visit-${id}`,
    visit_number: 1,
    identity: { name: null, email: null, phone: null, external_id: null, verified: false, contact_id: null },
    page: { url: `https://shop.example/p/${id}`, title: `Page ${id}`, at: T0 },
    path: [],
    referrer: null,
    utm_source: null,
    visit_started_at: T0,
    country: null,
    client: { browser: 'Firefox', os: 'Linux', device: 'desktop' },
    lang: 'en',
    active: true,
    chat: null,
    invitation: null,
    ...fields,
  };
}

export function profile(id: string, fields: Partial<VisitorProfile> = {}): VisitorProfile {
  return {
    visitor_id: id,
    site_id: 'site-1',
    identity: { name: null, email: null, phone: null, external_id: null, verified: false, contact_id: null },
    attributes: {},
    first_seen_at: T0,
    visits: [],
    conversations: [],
    live: null,
    ...fields,
  };
}
