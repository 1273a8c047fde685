//! `GET /api/v1/visitors/{id}`: the profile shown beside a chat.

use axum::Json;
use axum::extract::{Path, State};
use shopkeep_core::ids::VisitorId;
use shopkeep_core::tracking::{Identity, VisitorProfile};

use crate::api::access;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::state::AppState;

/// Visits and conversations shown in a profile.
const PROFILE_VISITS: u32 = 20;
const PROFILE_CONVERSATIONS: u32 = 50;

pub async fn profile(
    State(state): State<AppState>,
    session: StaffSession,
    Path(id): Path<String>,
) -> Result<Json<VisitorProfile>, ApiError> {
    let id: VisitorId = id.parse().map_err(|_| ApiError::not_found())?;
    let visitor = state
        .store
        .visitor(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let contact = match visitor.contact_id {
        Some(contact) => state.store.contact(contact).await?,
        None => None,
    };
    // A verified customer's history spans all of their devices.
    let visitors = match &contact {
        Some(contact) => state.store.contact_visitors(contact.id).await?,
        None => vec![id],
    };
    let visits = state.store.visits(&visitors, PROFILE_VISITS).await?;
    // Conversations of departments this member of staff does not serve stay hidden.
    let conversations = access::visible(
        &state,
        &session,
        state
            .store
            .conversations_of(&visitors, PROFILE_CONVERSATIONS)
            .await?,
    );
    let live = state.tracker.live(id);
    let identity = match (&contact, &live) {
        // The live row knows whether this visit was verified.
        (_, Some(live)) => live.identity.clone(),
        (Some(contact), None) => Identity {
            name: contact.name.clone().or(visitor.name.clone()),
            email: contact.email.clone().or(visitor.email.clone()),
            phone: contact.phone.clone().or(visitor.phone.clone()),
            external_id: Some(contact.external_id.clone()),
            verified: true,
            contact_id: Some(contact.id),
        },
        (None, None) => Identity {
            name: visitor.name.clone(),
            email: visitor.email.clone(),
            phone: visitor.phone.clone(),
            ..Identity::default()
        },
    };
    Ok(Json(VisitorProfile {
        visitor_id: id,
        site_id: visitor.site_id,
        identity,
        attributes: visitor.attributes,
        first_seen_at: visitor.created_at,
        visits,
        conversations,
        live,
    }))
}
