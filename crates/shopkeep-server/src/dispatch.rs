//! Routing: one task hands waiting chats to online operators and tells
//! visitors where they stand in the queue. Being the only task that assigns,
//! it never gives a chat twice; `take_conversation` refusing an assignment
//! only means an operator took the chat first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use shopkeep_core::Millis;
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::department::RoutingStrategy;
use shopkeep_core::ids::{ConversationId, DepartmentId, SiteId, StaffId};
use shopkeep_core::protocol::shared::ConversationSummary;
use shopkeep_core::protocol::visitor::{QueuePlace, ServerFrame};
use shopkeep_core::routing::{self, OperatorLoad, ServiceTimes, WaitingChat};
use shopkeep_store::{ConversationFilter, StoreError};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::hub::to_frame;
use crate::state::AppState;

/// How often routing runs without being kicked (operators' loads and
/// presence can change in ways nobody announces, e.g. a grace period ending).
const EVERY: Duration = Duration::from_secs(3);

#[derive(Default)]
pub struct Dispatcher {
    kicked: Notify,
    state: Mutex<Routing>,
}

#[derive(Default)]
struct Routing {
    /// When each operator was last given a chat, for round robin.
    last_assigned: HashMap<StaffId, Millis>,
    /// How long chats last, per department, for wait estimates.
    service: ServiceTimes,
    /// The place each waiting chat's visitor was last told.
    told: HashMap<ConversationId, (ConversationSummary, QueuePlace)>,
}

impl Dispatcher {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks routing to run soon: a chat is waiting, a slot freed, presence changed.
    pub fn kick(&self) {
        self.kicked.notify_one();
    }

    /// A chat closed: its length feeds the wait estimates and its slot is refilled.
    pub fn closed(&self, conversation: &ConversationSummary) {
        let now = shopkeep_store::sqlite::now();
        let since = conversation.assigned_at.unwrap_or(conversation.created_at);
        let department = conversation.department.as_ref().map(|d| d.id);
        if conversation.assignee.is_some() {
            self.lock()
                .service
                .record(department, u64::try_from(now - since).unwrap_or(0));
        }
        self.kick();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Routing> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub fn spawn(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = state.dispatch.kicked.notified() => {}
                _ = every.tick() => {}
            }
            if let Err(error) = run(&state).await {
                tracing::warn!(%error, "routing failed; trying again shortly");
            }
        }
    })
}

/// Chats routing hands out: waiting ones, not left through the offline form,
/// and not missed (their visitor is gone; operators still see and may take them).
fn routable(summary: &ConversationSummary) -> bool {
    summary.status == ConversationStatus::Waiting && !summary.offline && !summary.missed
}

/// One routing pass.
pub async fn run(state: &AppState) -> Result<(), StoreError> {
    let filter = ConversationFilter {
        open: true,
        closed_limit: 0,
    };
    let open = state.store.list_conversations(filter).await?;
    let mut loads: HashMap<StaffId, u32> = HashMap::new();
    for summary in &open {
        if summary.status == ConversationStatus::Active
            && let Some(holder) = &summary.assignee
        {
            *loads.entry(holder.id).or_default() += 1;
        }
    }
    if state.team.set_loads(loads.clone()) {
        state.hub.team_changed();
    }
    let now = shopkeep_store::sqlite::now();
    let mut operators: Vec<OperatorLoad> = {
        let routing = state.dispatch.lock();
        state
            .hub
            .online_operators()
            .into_iter()
            .filter_map(|id| state.team.member(id))
            .map(|member| OperatorLoad {
                id: member.id,
                departments: state.team.departments_of(member.id),
                max_chats: member.max_chats,
                active: loads.get(&member.id).copied().unwrap_or(0),
                last_assigned: routing.last_assigned.get(&member.id).copied().unwrap_or(0),
            })
            .collect()
    };
    let mut waiting: Vec<&ConversationSummary> = open.iter().filter(|s| routable(s)).collect();
    waiting.sort_by_key(|s| (s.created_at, s.id));
    let strategies: HashMap<DepartmentId, RoutingStrategy> = state
        .team
        .departments()
        .into_iter()
        .map(|d| (d.id, d.draft.routing))
        .collect();
    let mut sites: Vec<SiteId> = Vec::new();
    for summary in &waiting {
        if !sites.contains(&summary.site_id) {
            sites.push(summary.site_id);
        }
    }
    let mut assigned: Vec<ConversationId> = Vec::new();
    for site_id in sites {
        let site_strategy = match state.store.site(site_id).await? {
            Some(site) => site.chat.routing,
            None => continue,
        };
        let chats: Vec<WaitingChat> = waiting
            .iter()
            .filter(|s| s.site_id == site_id)
            .map(|s| WaitingChat {
                id: s.id,
                department: s.department.as_ref().map(|d| d.id),
                since: s.created_at,
            })
            .collect();
        let strategy_of = |department: Option<DepartmentId>| match department {
            // A chat of a department that no longer exists waits for anyone.
            Some(d) => strategies.get(&d).copied().unwrap_or(site_strategy),
            None => site_strategy,
        };
        let decisions = routing::assign(&chats, &mut operators, strategy_of, now);
        for decision in decisions {
            let Some(member) = state.team.member(decision.operator) else {
                continue;
            };
            match state
                .store
                .take_conversation(decision.conversation, member.as_ref())
                .await
            {
                Ok(taken) => {
                    assigned.push(decision.conversation);
                    state.hub.publish_transition(&taken);
                }
                // Someone took or closed it in the meantime.
                Err(error) => {
                    tracing::debug!(%error, conversation = %decision.conversation, "routing lost a race")
                }
            }
        }
    }
    let loads_after: HashMap<StaffId, u32> =
        operators.iter().map(|op| (op.id, op.active)).collect();
    {
        let mut routing = state.dispatch.lock();
        for op in &operators {
            routing.last_assigned.insert(op.id, op.last_assigned);
        }
    }
    if !assigned.is_empty() {
        let mut all = loads;
        all.extend(loads_after);
        if state.team.set_loads(all) {
            state.hub.team_changed();
        }
    }
    tell_places(state, &waiting, &assigned, &operators);
    Ok(())
}

/// Sends `queue` to every waiting chat's visitors, and `place: null` to those
/// no longer waiting. Places are sent on every pass, changed or not, so a tab
/// that opened (or loaded its chat panel) since the last change hears its
/// place within one pass.
fn tell_places(
    state: &AppState,
    waiting: &[&ConversationSummary],
    assigned: &[ConversationId],
    operators: &[OperatorLoad],
) {
    let still: Vec<&ConversationSummary> = waiting
        .iter()
        .copied()
        .filter(|s| !assigned.contains(&s.id))
        .collect();
    let chats: Vec<WaitingChat> = still
        .iter()
        .map(|s| WaitingChat {
            id: s.id,
            department: s.department.as_ref().map(|d| d.id),
            since: s.created_at,
        })
        .collect();
    let mut routing = state.dispatch.lock();
    let service = routing.service.clone();
    let places = routing::queue_places(&chats, operators, |d| service.of(d));
    let mut told = std::mem::take(&mut routing.told);
    let mut now_told = HashMap::new();
    for place in places {
        let Some(summary) = still.iter().find(|s| s.id == place.conversation) else {
            continue;
        };
        let view = QueuePlace {
            position: place.position,
            wait_ms: place.wait_ms,
        };
        told.remove(&place.conversation);
        let frame = to_frame(&ServerFrame::Queue {
            conversation_id: place.conversation,
            place: Some(view),
        });
        state.hub.to_conversation_visitors(summary, &frame);
        now_told.insert(place.conversation, ((*summary).clone(), view));
    }
    for (id, (summary, _)) in told {
        let frame = to_frame(&ServerFrame::Queue {
            conversation_id: id,
            place: None,
        });
        state.hub.to_conversation_visitors(&summary, &frame);
    }
    routing.told = now_told;
}
