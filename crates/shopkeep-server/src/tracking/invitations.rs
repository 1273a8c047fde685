//! Sending invitations, by an operator's click or by a site's rules.

use std::time::Duration;

use shopkeep_core::ids::{StaffId, VisitorId};
use shopkeep_core::protocol::shared::AgentRef;
use shopkeep_core::protocol::visitor;
use shopkeep_core::tracking::InvitationView;
use shopkeep_store::Staff;

use crate::api::photos::photo_path;
use crate::hub::to_frame;
use crate::state::AppState;
use crate::tracking::live::{InviteError, NewInvitation};

/// Shows `text` from `agent` to a visitor on the site now.
pub fn invite(
    state: &AppState,
    visitor: VisitorId,
    agent: &Staff,
    rule: Option<shopkeep_core::ids::RuleId>,
    text: String,
) -> Result<InvitationView, InviteError> {
    let agent_ref = AgentRef {
        id: agent.id,
        name: agent.name.clone(),
    };
    let photo = photo_path(agent);
    let now = shopkeep_store::sqlite::now();
    let view = state.tracker.invite(
        visitor,
        NewInvitation {
            agent: agent_ref.clone(),
            photo: photo.clone(),
            rule,
            text: text.clone(),
        },
        now,
    )?;
    let frame = to_frame(&visitor::ServerFrame::Invitation {
        invitation_id: view.id,
        agent: Some(agent_ref),
        photo,
        text,
    });
    state.hub.to_visitor(visitor, &frame);
    Ok(view)
}

/// Checks the rules of every site against its live visitors every `interval`.
/// A rule's invitation is shown as coming from one of the operators online,
/// in turn, so accepted chats spread over the team.
pub fn spawn_rules(state: AppState, interval: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut turn = 0usize;
        loop {
            tick.tick().await;
            let now = shopkeep_store::sqlite::now();
            for (visitor, rule) in state.tracker.due_invitations(now).await {
                let online = state.hub.online_operators();
                if online.is_empty() {
                    break;
                }
                turn = turn.wrapping_add(1);
                let Some(agent) = staff(&state, online[turn % online.len()]).await else {
                    continue;
                };
                if let Err(error) = invite(&state, visitor, &agent, Some(rule.id), rule.draft.text)
                {
                    tracing::debug!(%error, "a rule's invitation was not shown");
                }
            }
        }
    })
}

async fn staff(state: &AppState, id: StaffId) -> Option<Staff> {
    match state.store.staff(id).await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(%error, "could not read an operator for an invitation");
            None
        }
    }
}
