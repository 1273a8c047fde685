//! The realtime hub: who is connected, and fan-out of committed events and
//! ephemeral notices to them.
//!
//! Frames are serialised once and shared as `Arc<str>`. Visitor sockets each
//! have a bounded queue; a socket whose queue is full is dropped rather than
//! allowed to stall the hub, and its client resumes from its last seq. Staff
//! sockets share one broadcast channel; a lagging one is dropped the same way.
//! Delivery here is only a hint: the store is the truth and clients resync
//! from it after every reconnect.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use shopkeep_core::event::Event;
use shopkeep_core::ids::{ContactId, ConversationId, SiteId, StaffId, VisitorId};
use shopkeep_core::protocol::shared::{ConversationSummary, Receipts, Side};
use shopkeep_core::protocol::{agent, visitor};
use shopkeep_core::staff::AgentStatus;
use tokio::sync::{Notify, broadcast, mpsc, watch};

use crate::team::{OwnedScope, scope};

/// Frames queued for one visitor socket before it counts as not reading.
pub const VISITOR_QUEUE: usize = 256;
/// Frames the staff feed holds before a slow console socket lags out.
const STAFF_FEED: usize = 4096;

/// A serialised frame; cloning shares the bytes.
pub type Frame = axum::extract::ws::Utf8Bytes;

/// Whom a frame on the staff feed is for. Each console decides with its
/// viewer as the team directory has it now, since memberships change.
#[derive(Clone, Debug)]
pub enum Audience {
    /// Every console tab of one member of staff.
    Staff(StaffId),
    /// Consoles that watch the live visitor list.
    VisitorWatchers,
    /// Staff who may see this conversation.
    Conversation(Arc<OwnedScope>),
    Everyone,
}

/// A frame on the staff feed, with whom it is for.
#[derive(Clone, Debug)]
pub struct StaffFrame {
    pub json: Frame,
    pub audience: Audience,
}

struct VisitorSocket {
    id: u64,
    queue: mpsc::Sender<Frame>,
}

#[derive(Default)]
struct Presence {
    status: AgentStatus,
    sockets: usize,
}

pub struct Hub {
    visitors: Mutex<HashMap<VisitorId, Vec<VisitorSocket>>>,
    /// Connected visitors verified as each contact, so a contact's conversation
    /// reaches all of their devices.
    contacts: Mutex<HashMap<ContactId, HashMap<VisitorId, usize>>>,
    /// Every conversation summary published, for visitor tracking.
    summaries: broadcast::Sender<ConversationSummary>,
    staff_feed: broadcast::Sender<StaffFrame>,
    presence: Mutex<HashMap<StaffId, Presence>>,
    operators_online: watch::Sender<bool>,
    /// Bumped whenever anyone's presence changes, for widgets that show which
    /// departments have someone online.
    presence_version: watch::Sender<u64>,
    presence_grace: Duration,
    next_socket: AtomicU64,
    /// Flipped once at shutdown; every socket tells its client to reconnect.
    shutdown: watch::Sender<bool>,
    /// Sites whose settings changed, so widget sockets re-read opening hours.
    site_changes: broadcast::Sender<SiteId>,
    /// When each visitor's last socket closed; gone once they reconnect. The
    /// missed-chat check asks how long a visitor has been away.
    departed: Mutex<HashMap<VisitorId, Instant>>,
    /// Visitors who never connected since the start count as away since then.
    started: Instant,
    /// Presence or loads changed: the team list is sent again (coalesced).
    team_changes: Notify,
    /// What each console tab has on screen, for the collision notice.
    viewing: Mutex<HashMap<u64, (StaffId, ConversationId)>>,
}

/// A visitor socket's registration; dropping it unregisters the socket.
pub struct VisitorRegistration {
    hub: Arc<Hub>,
    visitor: VisitorId,
    socket: u64,
}

/// A connection's verified link to a contact; dropping it unlinks.
pub struct ContactLink {
    hub: Arc<Hub>,
    contact: ContactId,
    visitor: VisitorId,
}

impl Drop for ContactLink {
    fn drop(&mut self) {
        let mut contacts = self.hub.lock_contacts();
        if let Some(visitors) = contacts.get_mut(&self.contact) {
            if let Some(count) = visitors.get_mut(&self.visitor) {
                *count -= 1;
                if *count == 0 {
                    visitors.remove(&self.visitor);
                }
            }
            if visitors.is_empty() {
                contacts.remove(&self.contact);
            }
        }
    }
}

impl Drop for VisitorRegistration {
    fn drop(&mut self) {
        self.hub.remove_visitor_socket(self.visitor, self.socket);
    }
}

/// A staff socket's registration; dropping it counts the socket as gone.
pub struct StaffRegistration {
    hub: Arc<Hub>,
    staff: StaffId,
}

impl Drop for StaffRegistration {
    fn drop(&mut self) {
        let hub = self.hub.clone();
        let staff = self.staff;
        let grace = hub.presence_grace;
        if grace.is_zero() {
            hub.staff_socket_closed(staff);
        } else if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                tokio::time::sleep(grace).await;
                hub.staff_socket_closed(staff);
            });
        } else {
            hub.staff_socket_closed(staff);
        }
    }
}

pub fn to_frame<T: Serialize>(value: &T) -> Frame {
    match serde_json::to_string(value) {
        Ok(json) => json.into(),
        Err(error) => {
            // Our own frame types always serialise; this would be a programming error.
            tracing::error!(%error, "a frame failed to serialise");
            Frame::from_static("{\"type\":\"pong\"}")
        }
    }
}

impl Hub {
    pub fn new(presence_grace: Duration) -> Arc<Self> {
        let (staff_feed, _) = broadcast::channel(STAFF_FEED);
        let (summaries, _) = broadcast::channel(STAFF_FEED);
        Arc::new(Self {
            visitors: Mutex::default(),
            contacts: Mutex::default(),
            summaries,
            staff_feed,
            presence: Mutex::default(),
            operators_online: watch::Sender::new(false),
            presence_version: watch::Sender::new(0),
            presence_grace,
            next_socket: AtomicU64::new(1),
            shutdown: watch::Sender::new(false),
            site_changes: broadcast::channel(16).0,
            departed: Mutex::default(),
            started: Instant::now(),
            team_changes: Notify::new(),
            viewing: Mutex::default(),
        })
    }

    pub fn register_visitor(
        self: &Arc<Self>,
        visitor: VisitorId,
    ) -> (VisitorRegistration, mpsc::Receiver<Frame>) {
        let (queue, frames) = mpsc::channel(VISITOR_QUEUE);
        let id = self.next_socket_id();
        self.lock_visitors()
            .entry(visitor)
            .or_default()
            .push(VisitorSocket { id, queue });
        self.lock_departed().remove(&visitor);
        let registration = VisitorRegistration {
            hub: self.clone(),
            visitor,
            socket: id,
        };
        (registration, frames)
    }

    fn remove_visitor_socket(&self, visitor: VisitorId, socket: u64) {
        let mut visitors = self.lock_visitors();
        if let Some(sockets) = visitors.get_mut(&visitor) {
            sockets.retain(|s| s.id != socket);
            if sockets.is_empty() {
                visitors.remove(&visitor);
                self.lock_departed().insert(visitor, Instant::now());
            }
        }
    }

    /// Registers a console socket of `staff`, whose stored status is `status`.
    pub fn register_staff(
        self: &Arc<Self>,
        staff: StaffId,
        status: AgentStatus,
    ) -> (StaffRegistration, broadcast::Receiver<StaffFrame>) {
        let feed = self.staff_feed.subscribe();
        {
            let mut presence = self.lock_presence();
            let entry = presence.entry(staff).or_default();
            entry.status = status;
            entry.sockets += 1;
        }
        self.recompute_online();
        self.team_changed();
        (
            StaffRegistration {
                hub: self.clone(),
                staff,
            },
            feed,
        )
    }

    fn staff_socket_closed(&self, staff: StaffId) {
        {
            let mut presence = self.lock_presence();
            if let Some(entry) = presence.get_mut(&staff) {
                entry.sockets = entry.sockets.saturating_sub(1);
                if entry.sockets == 0 {
                    presence.remove(&staff);
                }
            }
        }
        self.recompute_online();
        self.team_changed();
    }

    /// Records a status change and tells every console tab of that member of staff.
    pub fn set_status(&self, staff: StaffId, status: AgentStatus) {
        if let Some(entry) = self.lock_presence().get_mut(&staff) {
            entry.status = status;
        }
        self.recompute_online();
        self.team_changed();
        let frame = to_frame(&agent::ServerFrame::Status { status });
        self.to_one_staff(staff, frame);
    }

    /// Presence as the team sees it: offline without an open console.
    pub fn effective_status(&self, staff: StaffId) -> AgentStatus {
        self.lock_presence()
            .get(&staff)
            .filter(|p| p.sockets > 0)
            .map_or(AgentStatus::Offline, |p| p.status)
    }

    /// Whether `staff` has a console open and is online.
    pub fn is_online(&self, staff: StaffId) -> bool {
        self.effective_status(staff) == AgentStatus::Online
    }

    /// Asks for the team list to be sent again; bursts are coalesced.
    pub fn team_changed(&self) {
        self.team_changes.notify_one();
    }

    /// Resolves after [`Hub::team_changed`].
    pub async fn team_change(&self) {
        self.team_changes.notified().await;
    }

    /// A frame for every console tab of one member of staff.
    pub fn to_one_staff(&self, staff: StaffId, json: Frame) {
        self.to_staff_audience(Audience::Staff(staff), json);
    }

    /// Live visitor list changes, for consoles that watch the list.
    pub fn to_visitor_watchers(&self, json: Frame) {
        self.to_staff_audience(Audience::VisitorWatchers, json);
    }

    pub fn to_staff_audience(&self, audience: Audience, json: Frame) {
        // No receivers is fine: no console is open.
        let _ = self.staff_feed.send(StaffFrame { json, audience });
    }

    /// Staff who may see `conversation`.
    pub fn to_conversation_staff(&self, conversation: &ConversationSummary, json: Frame) {
        self.to_staff_audience(Audience::Conversation(Arc::new(scope(conversation))), json);
    }

    /// Records which conversation a console tab shows; answers the conversations
    /// whose viewers changed.
    pub fn set_viewing(
        &self,
        socket: u64,
        staff: StaffId,
        conversation: Option<ConversationId>,
    ) -> Vec<ConversationId> {
        let mut viewing = self.lock_viewing();
        let before = match conversation {
            Some(id) => viewing.insert(socket, (staff, id)),
            None => viewing.remove(&socket),
        };
        let old = before.map(|(_, id)| id);
        if old == conversation {
            return Vec::new();
        }
        old.into_iter().chain(conversation).collect()
    }

    /// Staff who have `conversation` on screen, each once.
    pub fn viewers(&self, conversation: ConversationId) -> Vec<StaffId> {
        let mut staff: Vec<StaffId> = self
            .lock_viewing()
            .values()
            .filter(|(_, id)| *id == conversation)
            .map(|(staff, _)| *staff)
            .collect();
        staff.sort();
        staff.dedup();
        staff
    }

    /// A number for a console socket, unique in this process.
    pub fn next_socket_id(&self) -> u64 {
        self.next_socket.fetch_add(1, Ordering::Relaxed)
    }

    /// Staff who are online (status and an open console), in a stable order.
    pub fn online_operators(&self) -> Vec<StaffId> {
        let mut online: Vec<StaffId> = self
            .lock_presence()
            .iter()
            .filter(|(_, p)| p.sockets > 0 && p.status == AgentStatus::Online)
            .map(|(id, _)| *id)
            .collect();
        online.sort();
        online
    }

    /// Links a connected visitor to the contact it was verified as.
    pub fn link_contact(self: &Arc<Self>, contact: ContactId, visitor: VisitorId) -> ContactLink {
        *self
            .lock_contacts()
            .entry(contact)
            .or_default()
            .entry(visitor)
            .or_default() += 1;
        ContactLink {
            hub: self.clone(),
            contact,
            visitor,
        }
    }

    /// Conversation summaries as they are published.
    pub fn summaries(&self) -> broadcast::Receiver<ConversationSummary> {
        self.summaries.subscribe()
    }

    pub fn presence_changes(&self) -> watch::Receiver<u64> {
        self.presence_version.subscribe()
    }

    fn recompute_online(&self) {
        self.presence_version.send_modify(|version| *version += 1);
        let online = self
            .lock_presence()
            .values()
            .any(|p| p.sockets > 0 && p.status == AgentStatus::Online);
        self.operators_online.send_if_modified(|current| {
            let changed = *current != online;
            *current = online;
            changed
        });
    }

    pub fn operators_online(&self) -> watch::Receiver<bool> {
        self.operators_online.subscribe()
    }

    /// A committed event: to the visitor's sockets (unless staff-only) and to
    /// the staff who may see it, with the conversation's new summary.
    pub fn publish_event(&self, conversation: &ConversationSummary, event: &Event) {
        let scope = Arc::new(scope(conversation));
        // `event {event}` reads the same on both sockets: serialised once.
        let frame = to_frame(&agent::ServerFrame::Event {
            event: event.clone(),
        });
        if event.body.visible_to_visitor() {
            self.to_conversation_visitors(conversation, &frame);
        }
        self.to_staff_audience(Audience::Conversation(scope.clone()), frame);
        self.publish_summary_to(conversation, scope);
    }

    /// The outcome of a state change (take, join, transfer…): its event if it
    /// recorded one, otherwise the conversation's new summary.
    pub fn publish_transition(&self, changed: &shopkeep_store::Transitioned) {
        match &changed.event {
            Some(event) => self.publish_event(&changed.conversation, event),
            None => self.publish_summary(&changed.conversation),
        }
    }

    /// A conversation's summary changed without a new event.
    pub fn publish_summary(&self, conversation: &ConversationSummary) {
        self.publish_summary_to(conversation, Arc::new(scope(conversation)));
    }

    fn publish_summary_to(&self, conversation: &ConversationSummary, scope: Arc<OwnedScope>) {
        let summary = to_frame(&agent::ServerFrame::Conversation {
            conversation: conversation.clone(),
        });
        self.to_staff_audience(Audience::Conversation(scope), summary);
        let _ = self.summaries.send(conversation.clone());
    }

    /// New receipt marks of `conversation` (its summary from before they
    /// moved). Staff get them as they are; the visitor gets them capped at what
    /// they can see, and only when that changed, so a mark moving over a
    /// whisper or note tells them nothing.
    pub fn publish_receipts(&self, conversation: &ConversationSummary, receipts: Receipts) {
        let visible = conversation.visible_seq;
        let seen = receipts.seen_by_visitor(visible);
        if seen != conversation.receipts.seen_by_visitor(visible) {
            let frame = to_frame(&visitor::ServerFrame::Receipts {
                conversation_id: conversation.id,
                receipts: seen,
            });
            self.to_conversation_visitors(conversation, &frame);
        }
        let frame = to_frame(&agent::ServerFrame::Receipts {
            conversation_id: conversation.id,
            receipts,
        });
        self.to_conversation_staff(conversation, frame);
    }

    pub fn visitor_typing(&self, conversation: &ConversationSummary, active: bool) {
        let frame = to_frame(&agent::ServerFrame::Typing {
            conversation_id: conversation.id,
            side: Side::Visitor,
            active,
            agent: None,
        });
        self.to_conversation_staff(conversation, frame);
    }

    pub fn agent_typing(
        &self,
        visitor: VisitorId,
        conversation: ConversationId,
        name: &str,
        active: bool,
    ) {
        let frame = to_frame(&visitor::ServerFrame::Typing {
            conversation_id: conversation,
            side: Side::Agent,
            name: Some(name.to_owned()),
            active,
        });
        self.to_visitor(visitor, &frame);
    }

    /// The conversation's visitor, and the contact's other connected devices.
    pub fn to_conversation_visitors(&self, conversation: &ConversationSummary, frame: &Frame) {
        self.to_visitor(conversation.visitor_id, frame);
        let Some(contact) = conversation.contact_id else {
            return;
        };
        for visitor in self.contact_devices(contact) {
            if visitor != conversation.visitor_id {
                self.to_visitor(visitor, frame);
            }
        }
    }

    /// The connected visitors verified as `contact`: the customer's devices online now.
    pub fn contact_devices(&self, contact: ContactId) -> Vec<VisitorId> {
        self.lock_contacts()
            .get(&contact)
            .map(|visitors| visitors.keys().copied().collect())
            .unwrap_or_default()
    }

    pub fn to_visitor(&self, visitor: VisitorId, frame: &Frame) {
        let mut visitors = self.lock_visitors();
        let Some(sockets) = visitors.get_mut(&visitor) else {
            return;
        };
        // A full queue means the socket is not reading: drop it so it
        // reconnects and resyncs instead of holding memory or stalling us.
        sockets.retain(|socket| socket.queue.try_send(frame.clone()).is_ok());
        if sockets.is_empty() {
            visitors.remove(&visitor);
            self.lock_departed().insert(visitor, Instant::now());
        }
    }

    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// A site's settings changed (opening hours, mail): its widgets re-read them.
    pub fn site_changed(&self, site: SiteId) {
        let _ = self.site_changes.send(site);
    }

    pub fn site_changes(&self) -> broadcast::Receiver<SiteId> {
        self.site_changes.subscribe()
    }

    /// How long the visitor has had no socket here: `None` while connected;
    /// since the server started for a visitor not seen since.
    pub fn away_for(&self, visitor: VisitorId) -> Option<Duration> {
        // Both maps under the visitors lock (the order `to_visitor` takes them
        // in), so a visitor connecting in between is not taken for one away
        // since the start.
        let visitors = self.lock_visitors();
        if visitors.contains_key(&visitor) {
            return None;
        }
        let since = self
            .lock_departed()
            .get(&visitor)
            .copied()
            .unwrap_or(self.started);
        drop(visitors);
        Some(since.elapsed())
    }

    /// Forgets departures older than `age`, so the map does not grow forever.
    pub fn forget_departures(&self, age: Duration) {
        self.lock_departed()
            .retain(|_, since| since.elapsed() < age);
    }

    fn lock_departed(&self) -> std::sync::MutexGuard<'_, HashMap<VisitorId, Instant>> {
        self.departed
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn connected_visitors(&self) -> usize {
        self.lock_visitors().len()
    }

    fn lock_visitors(&self) -> std::sync::MutexGuard<'_, HashMap<VisitorId, Vec<VisitorSocket>>> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.visitors
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_contacts(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<ContactId, HashMap<VisitorId, usize>>> {
        self.contacts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_viewing(&self) -> std::sync::MutexGuard<'_, HashMap<u64, (StaffId, ConversationId)>> {
        self.viewing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_presence(&self) -> std::sync::MutexGuard<'_, HashMap<StaffId, Presence>> {
        self.presence
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_frame_reads_the_same_on_both_sockets() {
        let event = Event {
            conversation_id: ConversationId::new(),
            seq: 3,
            at: 1,
            author: shopkeep_core::event::Author::Visitor,
            body: shopkeep_core::event::EventBody::Message { text: "hi".into() },
            client_msg_id: Some("m1".into()),
            visible_prev: Some(1),
        };
        let staff = to_frame(&agent::ServerFrame::Event {
            event: event.clone(),
        });
        let visitor = to_frame(&visitor::ServerFrame::Event { event });
        assert_eq!(staff, visitor);
    }

    #[tokio::test]
    async fn operators_online_follows_status_and_sockets() {
        let hub = Hub::new(Duration::ZERO);
        let online = hub.operators_online();
        let anna = StaffId::new();
        let (registration, _feed) = hub.register_staff(anna, AgentStatus::Online);
        assert!(*online.borrow());
        hub.set_status(anna, AgentStatus::Away);
        assert!(!*online.borrow());
        hub.set_status(anna, AgentStatus::Online);
        assert!(*online.borrow());
        drop(registration);
        assert!(!*online.borrow());
    }

    fn summary(visitor: VisitorId) -> ConversationSummary {
        ConversationSummary {
            id: ConversationId::new(),
            site_id: SiteId::new(),
            visitor_id: visitor,
            contact_id: None,
            offline: false,
            missed: false,
            visitor_label: "Visitor".into(),
            status: shopkeep_core::conversation::ConversationStatus::Active,
            assignee: None,
            participants: vec![],
            department: None,
            tags: vec![],
            unanswered_since: None,
            assigned_at: None,
            last_seq: 1,
            visible_seq: 0,
            receipts: Receipts::default(),
            last_message: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[tokio::test]
    async fn staff_only_events_go_to_staff_and_never_to_the_visitor() {
        use shopkeep_core::event::{Author, EventBody};
        let hub = Hub::new(Duration::ZERO);
        let visitor = VisitorId::new();
        let (_registration, mut frames) = hub.register_visitor(visitor);
        let (_staff, mut feed) = hub.register_staff(StaffId::new(), AgentStatus::Online);
        let conversation = summary(visitor);
        for body in [
            EventBody::Whisper {
                text: "psst".into(),
            },
            EventBody::Note { text: "vip".into() },
        ] {
            let event = Event {
                conversation_id: conversation.id,
                seq: 1,
                at: 0,
                author: Author::System,
                body,
                client_msg_id: None,
                visible_prev: None,
            };
            hub.publish_event(&conversation, &event);
            let to_staff = feed.recv().await.unwrap();
            assert!(matches!(to_staff.audience, Audience::Conversation(_)));
            assert!(to_staff.json.as_str().contains("\"type\":\"event\""));
            let summary = feed.recv().await.unwrap();
            assert!(summary.json.as_str().contains("\"type\":\"conversation\""));
        }
        assert!(frames.try_recv().is_err(), "nothing reached the visitor");
    }

    #[tokio::test]
    async fn a_visitor_socket_that_does_not_read_is_dropped() {
        let hub = Hub::new(Duration::ZERO);
        let visitor = VisitorId::new();
        let (_registration, mut frames) = hub.register_visitor(visitor);
        let frame = Frame::from_static("{}");
        for _ in 0..VISITOR_QUEUE {
            hub.to_visitor(visitor, &frame);
        }
        assert_eq!(hub.connected_visitors(), 1);
        hub.to_visitor(visitor, &frame);
        assert_eq!(hub.connected_visitors(), 0);
        // The queued frames are still readable, then the queue ends.
        for _ in 0..VISITOR_QUEUE {
            assert!(frames.recv().await.is_some());
        }
        assert!(frames.recv().await.is_none());
    }

    #[tokio::test]
    async fn a_visitor_is_away_from_their_last_socket_closing_until_they_return() {
        let hub = Hub::new(Duration::ZERO);
        let visitor = VisitorId::new();
        let first = hub.register_visitor(visitor);
        let second = hub.register_visitor(visitor);
        assert_eq!(hub.away_for(visitor), None);
        drop(first);
        assert_eq!(hub.away_for(visitor), None, "one tab is still open");
        drop(second);
        std::thread::sleep(Duration::from_millis(20));
        let away = hub.away_for(visitor).expect("away");
        assert!(away >= Duration::from_millis(20));
        let _back = hub.register_visitor(visitor);
        assert_eq!(hub.away_for(visitor), None);
        // Someone never seen since the start counts from the start.
        assert!(hub.away_for(VisitorId::new()).is_some());
    }
}
