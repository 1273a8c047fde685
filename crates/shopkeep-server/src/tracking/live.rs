//! Who is on the site now. Live rows are kept in memory only; page views and
//! visit activity are gathered into a batch the flusher writes once per tick,
//! and the rows that changed are pushed to watching consoles on the same tick,
//! so nothing here sits on the chat message path.
//!
//! This is the single-node presence: one process holds every row. The API is
//! the boundary a shared (Redis) presence would implement for several nodes.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use shopkeep_core::Millis;
use shopkeep_core::attributes::Attributes;
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::ids::{InvitationId, RuleId, SiteId, VisitId, VisitorId};
use shopkeep_core::privacy;
use shopkeep_core::protocol::agent;
use shopkeep_core::protocol::shared::{AgentRef, ConversationSummary};
use shopkeep_core::rules::{Facts, Rule, VisitInvitations, rule_to_fire};
use shopkeep_core::tracking::{
    ChatRef, Client, Identity, InvitationState, InvitationView, LiveVisitor, MAX_PATH_PAGES,
    PageView, VISIT_GAP_MS,
};
use shopkeep_store::{NewVisit, Store, StoreError, TrackingBatch};
use tokio::sync::broadcast::error::RecvError;

use crate::hub::{Hub, to_frame};

/// What the socket knows about a visitor when it connects.
#[derive(Clone, Debug)]
pub struct Arrival {
    pub site: SiteId,
    pub visitor: VisitorId,
    pub identity: Identity,
    pub attributes: Attributes,
    pub country: Option<String>,
    pub client: Client,
    pub lang: Option<String>,
    /// The visitor's open conversation, if any.
    pub chat: Option<ChatRef>,
}

/// A page as the widget reported it, already stripped and cut to size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageReport {
    pub url: String,
    pub title: String,
    pub referrer: Option<String>,
}

/// An invitation to show, before it has an id.
#[derive(Clone, Debug)]
pub struct NewInvitation {
    pub agent: AgentRef,
    /// Path of the agent's photo, for the widget.
    pub photo: Option<String>,
    pub rule: Option<RuleId>,
    pub text: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InviteError {
    #[error("the visitor is not on the site now")]
    NotHere,
    #[error("the visitor is already chatting")]
    Chatting,
    #[error("the visitor already has an invitation on screen")]
    Pending,
}

struct Entry {
    row: LiveVisitor,
    attributes: Attributes,
    page_since: Millis,
    sockets: usize,
    /// When the last socket closed; the row leaves after the grace.
    gone_since: Option<Millis>,
    invitations: VisitInvitations,
    /// The pending invitation's photo path, to show it again on the next page.
    invitation_photo: Option<String>,
    /// The visit row exists in the store (it is created on the first page).
    visit_stored: bool,
}

#[derive(Default)]
struct Inner {
    visitors: HashMap<VisitorId, Entry>,
    changed: HashSet<VisitorId>,
    left: Vec<VisitorId>,
    batch: TrackingBatch,
    /// Invitations of visits whose rows left the list, kept while the visit may
    /// still go on, so a visitor back within the visit is not invited again.
    past: HashMap<VisitorId, PastVisit>,
}

struct PastVisit {
    visit: VisitId,
    invitations: VisitInvitations,
    left_at: Millis,
}

pub struct Tracker {
    inner: Mutex<Inner>,
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
    rules: Mutex<HashMap<SiteId, Arc<Vec<Rule>>>>,
    leave_grace: Millis,
}

/// The live part of an invitation that was answered.
#[derive(Clone, Debug)]
pub struct Answered {
    pub invitation: InvitationView,
    pub site: SiteId,
}

impl Tracker {
    pub fn new(store: Arc<dyn Store>, hub: Arc<Hub>, leave_grace: Duration) -> Arc<Self> {
        Arc::new(Self {
            inner: Mutex::default(),
            store,
            hub,
            rules: Mutex::default(),
            leave_grace: Millis::try_from(leave_grace.as_millis()).unwrap_or(Millis::MAX),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A socket of a tracked visitor opened; the visit is found on its first page.
    pub fn arrive(&self, arrival: Arrival, now: Millis) {
        let mut inner = self.lock();
        let visitor = arrival.visitor;
        match inner.visitors.get_mut(&visitor) {
            Some(entry) => {
                entry.sockets += 1;
                entry.gone_since = None;
                entry.row.active = true;
                entry.row.chat = arrival.chat;
                if arrival.country.is_some() {
                    entry.row.country = arrival.country;
                }
            }
            None => {
                let row = LiveVisitor {
                    visitor_id: visitor,
                    site_id: arrival.site,
                    // Replaced by the stored visit on the first page.
                    visit_id: VisitId::new(),
                    visit_number: 0,
                    identity: arrival.identity,
                    page: None,
                    path: Vec::new(),
                    referrer: None,
                    utm_source: None,
                    visit_started_at: now,
                    country: arrival.country,
                    client: arrival.client,
                    lang: arrival.lang,
                    active: true,
                    chat: arrival.chat,
                    invitation: None,
                };
                inner.visitors.insert(
                    visitor,
                    Entry {
                        row,
                        attributes: arrival.attributes,
                        page_since: now,
                        sockets: 1,
                        gone_since: None,
                        invitations: VisitInvitations::default(),
                        invitation_photo: None,
                        visit_stored: false,
                    },
                );
            }
        }
        inner.changed.insert(visitor);
    }

    /// A socket closed. The row stays for the grace period, as the next page
    /// of the same visit usually opens a socket within a second.
    pub fn depart(&self, visitor: VisitorId, now: Millis) {
        let mut inner = self.lock();
        if let Some(entry) = inner.visitors.get_mut(&visitor) {
            entry.sockets = entry.sockets.saturating_sub(1);
            if entry.sockets == 0 {
                entry.gone_since = Some(now);
                entry.row.active = false;
                inner.changed.insert(visitor);
            }
        }
    }

    /// Records a page view; on the first page of a connection without a known
    /// visit, continues the visitor's latest visit or starts a new one.
    pub async fn page(&self, visitor: VisitorId, page: PageReport, now: Millis) {
        let needs_visit = {
            let inner = self.lock();
            match inner.visitors.get(&visitor) {
                Some(entry) => !entry.visit_stored,
                None => return,
            }
        };
        if needs_visit && let Err(error) = self.resolve_visit(visitor, &page, now).await {
            tracing::warn!(%error, "could not record a visit");
            return;
        }
        let mut inner = self.lock();
        let Some(entry) = inner.visitors.get_mut(&visitor) else {
            return;
        };
        let view = PageView {
            url: page.url,
            title: page.title,
            at: now,
        };
        let same_page = entry.row.page.as_ref().is_some_and(|p| p.url == view.url);
        if !same_page {
            entry.page_since = now;
        }
        entry.row.page = Some(view.clone());
        if !same_page {
            entry.row.path.push(view.clone());
            if entry.row.path.len() > MAX_PATH_PAGES {
                entry.row.path.remove(0);
            }
        }
        let visit = entry.row.visit_id;
        inner.batch.pages.push((visit, view));
        inner.batch.seen.push((visit, visitor, now));
        inner.changed.insert(visitor);
    }

    async fn resolve_visit(
        &self,
        visitor: VisitorId,
        page: &PageReport,
        now: Millis,
    ) -> Result<(), StoreError> {
        let latest = self.store.latest_visit(visitor).await?;
        let continuing = latest.filter(|visit| now - visit.last_seen_at < VISIT_GAP_MS);
        let (site, client, country, lang) = {
            let inner = self.lock();
            let Some(entry) = inner.visitors.get(&visitor) else {
                return Ok(());
            };
            (
                entry.row.site_id,
                entry.row.client.clone(),
                entry.row.country.clone(),
                entry.row.lang.clone(),
            )
        };
        let resolved = match continuing {
            Some(visit) => visit,
            None => {
                let id = VisitId::new();
                let referrer = page.referrer.clone().filter(|r| !same_site(r, &page.url));
                let utm_source = privacy::utm_source(&page.url);
                let number = self
                    .store
                    .start_visit(NewVisit {
                        id,
                        visitor_id: visitor,
                        site_id: site,
                        started_at: now,
                        referrer: referrer.clone(),
                        utm_source: utm_source.clone(),
                        country: country.clone(),
                        client: client.clone(),
                        lang: lang.clone(),
                    })
                    .await?;
                shopkeep_core::tracking::Visit {
                    id,
                    number,
                    started_at: now,
                    last_seen_at: now,
                    referrer,
                    utm_source,
                    country,
                    client,
                    lang,
                    pages: Vec::new(),
                }
            }
        };
        let mut inner = self.lock();
        let past = inner
            .past
            .remove(&visitor)
            .filter(|past| past.visit == resolved.id);
        if let Some(entry) = inner.visitors.get_mut(&visitor) {
            if let Some(past) = past {
                entry.invitations = past.invitations;
            }
            entry.visit_stored = true;
            entry.row.visit_id = resolved.id;
            entry.row.visit_number = resolved.number;
            entry.row.visit_started_at = resolved.started_at;
            entry.row.referrer = resolved.referrer;
            entry.row.utm_source = resolved.utm_source;
            let mut path = resolved.pages;
            let skip = path.len().saturating_sub(MAX_PATH_PAGES - 1);
            path.drain(..skip);
            entry.row.path = path;
        }
        Ok(())
    }

    pub fn activity(&self, visitor: VisitorId, active: bool) {
        self.update(visitor, |entry| entry.row.active = active);
    }

    pub fn identity(&self, visitor: VisitorId, identity: Identity) {
        self.update(visitor, |entry| entry.row.identity = identity);
    }

    pub fn attributes(&self, visitor: VisitorId, attributes: Attributes) {
        self.update(visitor, |entry| entry.attributes = attributes);
    }

    pub fn language(&self, visitor: VisitorId, lang: String) {
        self.update(visitor, |entry| entry.row.lang = Some(lang));
    }

    fn update(&self, visitor: VisitorId, change: impl FnOnce(&mut Entry)) {
        let mut inner = self.lock();
        if let Some(entry) = inner.visitors.get_mut(&visitor) {
            change(entry);
            inner.changed.insert(visitor);
        }
    }

    /// The visitor's live row, when they are on the site now.
    pub fn live(&self, visitor: VisitorId) -> Option<LiveVisitor> {
        self.lock().visitors.get(&visitor).map(|e| e.row.clone())
    }

    /// Every visitor on any site now (who has reported a page).
    pub fn snapshot(&self) -> Vec<LiveVisitor> {
        self.lock()
            .visitors
            .values()
            .filter(|e| e.row.page.is_some())
            .map(|e| e.row.clone())
            .collect()
    }

    /// The invitation still on screen, with its photo: a new page of the same
    /// visit shows it again.
    pub fn pending_invitation(
        &self,
        visitor: VisitorId,
    ) -> Option<(InvitationView, Option<String>)> {
        let inner = self.lock();
        let entry = inner.visitors.get(&visitor)?;
        let invitation = entry.row.invitation.as_ref()?;
        (invitation.state == InvitationState::Pending)
            .then(|| (invitation.clone(), entry.invitation_photo.clone()))
    }

    /// Shows an invitation to a live visitor; returns it as stored in the row.
    pub fn invite(
        &self,
        visitor: VisitorId,
        invitation: NewInvitation,
        now: Millis,
    ) -> Result<InvitationView, InviteError> {
        let mut inner = self.lock();
        let entry = inner
            .visitors
            .get_mut(&visitor)
            .filter(|e| e.sockets > 0)
            .ok_or(InviteError::NotHere)?;
        if entry.row.chat.is_some() {
            return Err(InviteError::Chatting);
        }
        if entry.invitations.pending {
            return Err(InviteError::Pending);
        }
        let view = InvitationView {
            id: InvitationId::new(),
            agent: Some(invitation.agent),
            rule_id: invitation.rule,
            text: invitation.text,
            state: InvitationState::Pending,
            at: now,
        };
        entry.invitations.pending = true;
        entry.invitation_photo = invitation.photo;
        if let Some(rule) = invitation.rule {
            entry.invitations.fired.push(rule);
        }
        entry.row.invitation = Some(view.clone());
        inner.changed.insert(visitor);
        Ok(view)
    }

    /// The visitor answered the invitation `id`; `None` if it is not the one on screen.
    pub fn answer(&self, visitor: VisitorId, id: InvitationId, accept: bool) -> Option<Answered> {
        let mut inner = self.lock();
        let entry = inner.visitors.get_mut(&visitor)?;
        let invitation = entry.row.invitation.as_mut()?;
        if invitation.id != id || invitation.state != InvitationState::Pending {
            return None;
        }
        invitation.state = if accept {
            InvitationState::Accepted
        } else {
            InvitationState::Declined
        };
        let answered = Answered {
            invitation: invitation.clone(),
            site: entry.row.site_id,
        };
        entry.invitations.pending = false;
        entry.invitations.dismissed |= !accept;
        inner.changed.insert(visitor);
        Some(answered)
    }

    /// Forgets a site's cached rules after they changed.
    pub fn rules_changed(&self, site: SiteId) {
        self.rules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&site);
    }

    async fn site_rules(&self, site: SiteId) -> Arc<Vec<Rule>> {
        if let Some(rules) = self
            .rules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&site)
        {
            return rules.clone();
        }
        let rules = match self.store.list_rules(site).await {
            Ok(rules) => Arc::new(rules),
            Err(error) => {
                tracing::warn!(%error, "could not read invitation rules");
                return Arc::new(Vec::new());
            }
        };
        self.rules
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(site, rules.clone());
        rules
    }

    /// Live visitors of `site` that `rule` matches now (ignoring whether it is
    /// enabled or has fired), for the console's preview.
    pub fn preview(&self, site: SiteId, rule: &Rule, now: Millis) -> Vec<VisitorId> {
        let mut preview = rule.clone();
        preview.draft.enabled = true;
        self.lock()
            .visitors
            .values()
            .filter(|e| e.row.site_id == site && e.sockets > 0)
            .filter(|e| preview.matches(&facts(e), now))
            .map(|e| e.row.visitor_id)
            .collect()
    }

    /// Pairs of (visitor, rule) that should fire now, marking them as fired.
    pub async fn due_invitations(&self, now: Millis) -> Vec<(VisitorId, Rule)> {
        if self.hub.online_operators().is_empty() {
            return Vec::new();
        }
        let sites: HashSet<SiteId> = self
            .lock()
            .visitors
            .values()
            .filter(|e| e.sockets > 0)
            .map(|e| e.row.site_id)
            .collect();
        let mut rules_by_site = HashMap::new();
        for site in sites {
            let rules = self.site_rules(site).await;
            if !rules.is_empty() {
                rules_by_site.insert(site, rules);
            }
        }
        if rules_by_site.is_empty() {
            return Vec::new();
        }
        let inner = self.lock();
        let mut due = Vec::new();
        for entry in inner.visitors.values() {
            let Some(rules) = rules_by_site.get(&entry.row.site_id) else {
                continue;
            };
            if entry.sockets == 0 || entry.row.page.is_none() {
                continue;
            }
            let facts = facts(entry);
            let chatting = entry.row.chat.is_some();
            if let Some(rule) = rule_to_fire(rules, &facts, &entry.invitations, chatting, true, now)
            {
                due.push((entry.row.visitor_id, rule.clone()));
            }
        }
        due
    }

    /// Keeps the "chatting with" column in step with conversations.
    fn conversation_changed(&self, summary: &ConversationSummary) {
        let chat = (summary.status != ConversationStatus::Closed).then(|| ChatRef {
            conversation_id: summary.id,
            assignee: summary.assignee.clone(),
        });
        // The conversation's own visitor, and a verified customer's other devices.
        let mut rows = vec![summary.visitor_id];
        if let Some(contact) = summary.contact_id {
            rows.extend(self.hub.contact_devices(contact));
        }
        let mut inner = self.lock();
        for id in rows {
            let Some(entry) = inner.visitors.get_mut(&id) else {
                continue;
            };
            let closing_other = chat.is_none()
                && entry
                    .row
                    .chat
                    .as_ref()
                    .is_some_and(|c| c.conversation_id != summary.id);
            if !closing_other {
                entry.row.chat = chat.clone();
                inner.changed.insert(id);
            }
        }
    }

    /// One tick: drop rows past their grace, push changes, hand back the batch.
    fn drain(&self, now: Millis) -> (Vec<LiveVisitor>, Vec<VisitorId>, TrackingBatch) {
        let mut inner = self.lock();
        let grace = self.leave_grace;
        let gone: Vec<VisitorId> = inner
            .visitors
            .iter()
            .filter(|(_, e)| e.gone_since.is_some_and(|since| now - since >= grace))
            .map(|(id, _)| *id)
            .collect();
        for id in &gone {
            if let Some(entry) = inner.visitors.remove(id)
                && entry.visit_stored
            {
                let mut invitations = entry.invitations;
                invitations.pending = false;
                inner.past.insert(
                    *id,
                    PastVisit {
                        visit: entry.row.visit_id,
                        invitations,
                        left_at: now,
                    },
                );
            }
            inner.changed.remove(id);
        }
        inner
            .past
            .retain(|_, past| now - past.left_at < VISIT_GAP_MS);
        inner.left.extend(gone);
        let changed: Vec<LiveVisitor> = std::mem::take(&mut inner.changed)
            .into_iter()
            .filter_map(|id| inner.visitors.get(&id))
            .filter(|e| e.row.page.is_some())
            .map(|e| e.row.clone())
            .collect();
        let left = std::mem::take(&mut inner.left);
        let batch = std::mem::take(&mut inner.batch);
        (changed, left, batch)
    }

    /// Pushes changes and writes the batch every `interval`, until the hub shuts down.
    pub fn spawn_flusher(self: &Arc<Self>, interval: Duration) -> tokio::task::JoinHandle<()> {
        let tracker = self.clone();
        tokio::spawn(async move {
            let mut summaries = tracker.hub.summaries();
            let mut tick = tokio::time::interval(interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    summary = summaries.recv() => match summary {
                        Ok(summary) => tracker.conversation_changed(&summary),
                        Err(RecvError::Lagged(_)) => {}
                        Err(RecvError::Closed) => return,
                    },
                    _ = tick.tick() => tracker.flush().await,
                }
            }
        })
    }

    pub async fn flush(&self) {
        let (changed, left, batch) = self.drain(shopkeep_store::sqlite::now());
        if !changed.is_empty() || !left.is_empty() {
            self.hub
                .to_visitor_watchers(to_frame(&agent::ServerFrame::VisitorsChanged {
                    changed,
                    left,
                }));
        }
        if let Err(error) = self.store.record_tracking(batch).await {
            tracing::warn!(%error, "could not write page views");
        }
    }
}

fn facts(entry: &Entry) -> Facts<'_> {
    Facts {
        url: entry.row.page.as_ref().map(|p| p.url.as_str()),
        page_since: entry.page_since,
        pages_this_visit: u32::try_from(entry.row.path.len()).unwrap_or(u32::MAX),
        visit_number: entry.row.visit_number,
        referrer: entry.row.referrer.as_deref(),
        attributes: &entry.attributes,
        lang: entry.row.lang.as_deref(),
        country: entry.row.country.as_deref(),
    }
}

/// A referrer on the shop's own site is navigation, not where the visitor came from.
fn same_site(referrer: &str, url: &str) -> bool {
    fn origin(url: &str) -> Option<&str> {
        let rest = url.find("://").map(|at| at + 3)?;
        let end = url[rest..].find('/').map_or(url.len(), |at| rest + at);
        Some(&url[..end])
    }
    origin(referrer).is_some_and(|r| Some(r) == origin(url))
}
