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
use tokio::sync::{broadcast, mpsc, watch};

/// Frames queued for one visitor socket before it counts as not reading.
pub const VISITOR_QUEUE: usize = 256;
/// Frames the staff feed holds before a slow console socket lags out.
const STAFF_FEED: usize = 4096;

/// A serialised frame; cloning shares the bytes.
pub type Frame = axum::extract::ws::Utf8Bytes;

/// A frame on the staff feed, with whom it is for.
#[derive(Clone, Debug)]
pub struct StaffFrame {
    pub json: Frame,
    /// Only this member of staff (their presence); `None` for all staff.
    pub only: Option<StaffId>,
    /// Live visitor list changes, only for consoles watching the list.
    pub visitors: bool,
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
            presence_grace,
            next_socket: AtomicU64::new(1),
            shutdown: watch::Sender::new(false),
            site_changes: broadcast::channel(16).0,
            departed: Mutex::default(),
            started: Instant::now(),
        })
    }

    pub fn register_visitor(
        self: &Arc<Self>,
        visitor: VisitorId,
    ) -> (VisitorRegistration, mpsc::Receiver<Frame>) {
        let (queue, frames) = mpsc::channel(VISITOR_QUEUE);
        let id = self.next_socket.fetch_add(1, Ordering::Relaxed);
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
    }

    /// Records a status change and tells every console tab of that member of staff.
    pub fn set_status(&self, staff: StaffId, status: AgentStatus) {
        if let Some(entry) = self.lock_presence().get_mut(&staff) {
            entry.status = status;
        }
        self.recompute_online();
        let frame = to_frame(&agent::ServerFrame::Status { status });
        self.to_one_staff(staff, frame);
    }

    /// A frame for every console tab of one member of staff.
    pub fn to_one_staff(&self, staff: StaffId, json: Frame) {
        let _ = self.staff_feed.send(StaffFrame {
            json,
            only: Some(staff),
            visitors: false,
        });
    }

    /// Live visitor list changes, for consoles that watch the list.
    pub fn to_visitor_watchers(&self, json: Frame) {
        let _ = self.staff_feed.send(StaffFrame {
            json,
            only: None,
            visitors: true,
        });
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

    fn recompute_online(&self) {
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

    /// A committed event: to the visitor's sockets and to all staff, with the
    /// conversation's new summary for the inboxes.
    pub fn publish_event(&self, conversation: &ConversationSummary, event: &Event) {
        let frame = to_frame(&visitor::ServerFrame::Event {
            event: event.clone(),
        });
        self.to_conversation_visitors(conversation, &frame);
        self.to_staff(frame);
        self.publish_summary(conversation);
    }

    /// A conversation's summary changed without a new event.
    pub fn publish_summary(&self, conversation: &ConversationSummary) {
        let summary = to_frame(&agent::ServerFrame::Conversation {
            conversation: conversation.clone(),
        });
        self.to_staff(summary);
        let _ = self.summaries.send(conversation.clone());
    }

    pub fn publish_receipts(&self, conversation: &ConversationSummary, receipts: Receipts) {
        let frame = to_frame(&visitor::ServerFrame::Receipts {
            conversation_id: conversation.id,
            receipts,
        });
        self.to_conversation_visitors(conversation, &frame);
        self.to_staff(frame);
    }

    pub fn visitor_typing(&self, conversation: ConversationId, active: bool) {
        self.to_staff(to_frame(&agent::ServerFrame::Typing {
            conversation_id: conversation,
            side: Side::Visitor,
            active,
        }));
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

    fn to_staff(&self, json: Frame) {
        // No receivers is fine: no console is open.
        let _ = self.staff_feed.send(StaffFrame {
            json,
            only: None,
            visitors: false,
        });
    }

    /// The conversation's visitor, and the contact's other connected devices.
    fn to_conversation_visitors(&self, conversation: &ConversationSummary, frame: &Frame) {
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
        if self.lock_visitors().contains_key(&visitor) {
            return None;
        }
        let since = self
            .lock_departed()
            .get(&visitor)
            .copied()
            .unwrap_or(self.started);
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

    fn lock_presence(&self) -> std::sync::MutexGuard<'_, HashMap<StaffId, Presence>> {
        self.presence
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
