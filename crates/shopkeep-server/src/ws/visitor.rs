//! The widget's socket. A visitor is identified only by their token; every
//! frame that names a conversation is checked against that visitor.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::Deserialize;
use shopkeep_core::ids::{ConversationId, Seq};
use shopkeep_core::protocol::shared::{Ack, ConversationView, ErrorFrame, History};
use shopkeep_core::protocol::shared::{ConversationSummary, Side};
use shopkeep_core::protocol::visitor::{ClientFrame, ServerFrame, WidgetLook};
use shopkeep_core::protocol::{ErrorCode, MAX_SYNC_EVENTS};
use shopkeep_core::text::{ClientMsgId, MessageText};
use shopkeep_store::{Site, Visitor};

use crate::error::ApiError;
use crate::origin::request_origin;
use crate::state::AppState;
use crate::tokens;
use crate::ws::{self, Incoming, close};

/// The first frame must come quickly; an open socket that never says hello is dropped.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
pub struct SiteKey {
    site: String,
}

pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    query: Result<Query<SiteKey>, QueryRejection>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let invalid_key = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::InvalidSiteKey,
            "no site has this key",
        )
    };
    let Ok(Query(SiteKey { site: key })) = query else {
        return Err(invalid_key());
    };
    if key.len() > 64 {
        return Err(invalid_key());
    }
    let site = state
        .store
        .site_by_public_key(&key)
        .await?
        .ok_or_else(invalid_key)?;
    let origin = request_origin(&headers);
    if !origin
        .as_ref()
        .is_some_and(|origin| site.allowed_origins.contains(origin))
    {
        tracing::info!(site = %site.slug, ?origin, "visitor socket from an origin not on the allow-list");
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::OriginNotAllowed,
            "this page's origin may not use this site's widget",
        ));
    }
    let Some(slot) = state.sockets.acquire(peer.ip()) else {
        return Err(ApiError::rate_limited());
    };
    Ok(ws::limit(upgrade)
        .on_upgrade(move |socket| async move {
            run(state, site, peer, socket).await;
            drop(slot);
        })
        .into_response())
}

struct Connection {
    state: AppState,
    site: Site,
    visitor: Visitor,
    /// The visitor's newest conversation, for typing notices.
    current: Option<ConversationId>,
    messages: DefaultDirectRateLimiter,
}

async fn run(state: AppState, site: Site, peer: SocketAddr, mut socket: WebSocket) {
    let (token, lang) = match tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await {
        Err(_) => return ws::close_with(socket, close::POLICY, "hello expected").await,
        Ok(message) => match ws::classify(&message) {
            Incoming::Text(text) => match ws::parse::<ClientFrame>(text) {
                Ok(ClientFrame::Hello { token, lang, .. }) => (token, lang),
                Ok(_) | Err(_) => {
                    let frame =
                        ws::error(ErrorCode::HelloRequired, "the first frame must be hello");
                    ws::send(&mut socket, &ServerFrame::Error(frame)).await;
                    return ws::close_with(socket, close::POLICY, "hello expected").await;
                }
            },
            Incoming::Closed => return,
            Incoming::Refused(_) | Incoming::Ignore => {
                let frame = ws::error(ErrorCode::HelloRequired, "the first frame must be hello");
                ws::send(&mut socket, &ServerFrame::Error(frame)).await;
                return ws::close_with(socket, close::POLICY, "hello expected").await;
            }
        },
    };
    let _ = lang; // The widget picks its language itself; kept for visitor tracking.
    let (visitor, token) = match identify(&state, &site, token, peer, &mut socket).await {
        Ok(found) => found,
        Err(frame) => {
            ws::send(&mut socket, &ServerFrame::Error(frame)).await;
            return ws::close_with(socket, close::POLICY, "refused").await;
        }
    };
    let (_registration, mut queue) = state.hub.register_visitor(visitor.id);
    let mut online = state.hub.operators_online();
    let mut shutdown = state.hub.shutdown_signal();
    let latest = match state.store.latest_conversation(visitor.id).await {
        Ok(latest) => latest,
        Err(error) => {
            ws::send(&mut socket, &ServerFrame::Error(ws::store_error(&error))).await;
            return ws::close_with(socket, close::RESTART, "unavailable").await;
        }
    };
    let welcome = ServerFrame::Welcome {
        visitor_id: visitor.id,
        token,
        operators_online: *online.borrow_and_update(),
        look: WidgetLook {
            site_name: site.name.clone(),
            color: site.color.clone(),
            lang: site.lang.clone(),
        },
        conversation: latest.as_ref().map(view),
    };
    if !ws::send(&mut socket, &welcome).await {
        return;
    }
    let limits = &state.settings.limits;
    let frames = per_second(limits.frames_per_second);
    let mut conn = Connection {
        messages: RateLimiter::direct(per_minute(limits.visitor_messages_per_minute)),
        current: latest.map(|c| c.id),
        state: state.clone(),
        site,
        visitor,
    };
    let idle = state.settings.socket_idle_timeout;
    loop {
        tokio::select! {
            message = tokio::time::timeout(idle, socket.recv()) => {
                let Ok(message) = message else {
                    return ws::close_with(socket, close::POLICY, "idle").await;
                };
                if let Some(Err(error)) = &message
                    && ws::is_too_big(error)
                {
                    return ws::close_with(socket, close::TOO_BIG, "frame too large").await;
                }
                let reply = match ws::classify(&message) {
                    Incoming::Closed => return,
                    Incoming::Ignore => continue,
                    Incoming::Refused(frame) => Some(ServerFrame::Error(frame)),
                    Incoming::Text(_) if frames.check().is_err() => {
                        Some(ServerFrame::Error(ws::error(ErrorCode::RateLimited, "too many frames; slow down")))
                    }
                    Incoming::Text(text) => match ws::parse::<ClientFrame>(text) {
                        Ok(frame) => conn.handle(frame).await,
                        Err(frame) => Some(ServerFrame::Error(frame)),
                    },
                };
                if let Some(reply) = reply
                    && !ws::send(&mut socket, &reply).await
                {
                    return;
                }
            }
            frame = queue.recv() => match frame {
                Some(frame) => if !ws::send_frame(&mut socket, frame).await { return },
                None => return ws::close_with(socket, close::POLICY, "not reading").await,
            },
            Ok(()) = online.changed() => {
                let operators_online = *online.borrow_and_update();
                if !ws::send(&mut socket, &ServerFrame::Status { operators_online }).await {
                    return;
                }
            }
            _ = shutdown.changed() => {
                ws::send(&mut socket, &ServerFrame::Reconnect { after_ms: ws::reconnect_delay_ms() }).await;
                return ws::close_with(socket, close::RESTART, "restarting").await;
            }
        }
    }
}

fn per_second(count: u32) -> DefaultDirectRateLimiter {
    let rate = NonZeroU32::new(count.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(count.max(1).saturating_mul(2)).unwrap_or(NonZeroU32::MIN);
    RateLimiter::direct(Quota::per_second(rate).allow_burst(burst))
}

fn per_minute(count: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(count.max(1)).unwrap_or(NonZeroU32::MIN))
}

fn view(summary: &ConversationSummary) -> ConversationView {
    ConversationView {
        id: summary.id,
        status: summary.status,
        assignee: summary.assignee.clone(),
        last_seq: summary.last_seq,
        receipts: summary.receipts,
    }
}

/// The visitor a token belongs to, or a new visitor with a new token.
async fn identify(
    state: &AppState,
    site: &Site,
    token: Option<String>,
    peer: SocketAddr,
    socket: &mut WebSocket,
) -> Result<(Visitor, String), ErrorFrame> {
    if let Some(token) = token {
        let known = if token.len() <= 128 {
            state
                .store
                .visitor_by_token(site.id, &tokens::hash(&token))
                .await
                .map_err(|e| ws::store_error(&e))?
        } else {
            None
        };
        match known {
            Some(visitor) => {
                // Only a hint for tracking; a failure here must not refuse the visitor.
                if let Err(error) = state
                    .store
                    .touch_visitor(visitor.id, shopkeep_store::sqlite::now())
                    .await
                {
                    tracing::warn!(%error, "could not record the visitor's visit");
                }
                return Ok((visitor, token));
            }
            None => {
                let notice = ws::error(
                    ErrorCode::InvalidToken,
                    "unknown visitor token; starting a new visitor",
                );
                ws::send(socket, &ServerFrame::Error(notice)).await;
            }
        }
    }
    if state.limiters.new_visitors.check_key(&peer.ip()).is_err() {
        return Err(ws::error(
            ErrorCode::RateLimited,
            "too many new visitors from this address",
        ));
    }
    let token = tokens::new_token();
    let visitor = state
        .store
        .create_visitor(site.id, tokens::hash(&token))
        .await
        .map_err(|error| ws::store_error(&error))?;
    Ok((visitor, token))
}

impl Connection {
    async fn handle(&mut self, frame: ClientFrame) -> Option<ServerFrame> {
        let result = match frame {
            ClientFrame::Hello { .. } => Err(ws::error(
                ErrorCode::UnknownFrame,
                "hello was already received",
            )),
            ClientFrame::Send {
                client_msg_id,
                text,
            } => self.post(client_msg_id, text).await.map(Some),
            ClientFrame::Sync {
                conversation_id,
                after_seq,
            } => self.sync(conversation_id, after_seq).await.map(Some),
            ClientFrame::Typing { active } => {
                if let Some(conversation) = self.current {
                    self.state.hub.visitor_typing(conversation, active);
                }
                Ok(None)
            }
            ClientFrame::Received {
                conversation_id,
                seq,
            } => self.received(conversation_id, seq).await.map(|()| None),
            ClientFrame::Ping => Ok(Some(ServerFrame::Pong)),
            ClientFrame::Page { .. }
            | ClientFrame::Activity { .. }
            | ClientFrame::Identify { .. }
            | ClientFrame::Set { .. }
            | ClientFrame::Language { .. }
            | ClientFrame::AnswerInvitation { .. } => Ok(None),
        };
        match result {
            Ok(reply) => reply,
            Err(frame) => Some(ServerFrame::Error(frame)),
        }
    }

    async fn post(
        &mut self,
        client_msg_id: String,
        text: String,
    ) -> Result<ServerFrame, ErrorFrame> {
        let with_id = |mut frame: ErrorFrame| {
            frame.client_msg_id = Some(client_msg_id.clone());
            frame
        };
        let id = ClientMsgId::parse(&client_msg_id)
            .map_err(|e| with_id(ws::error(e.clone().into(), e.to_string())))?;
        let text = MessageText::parse(&text)
            .map_err(|e| with_id(ws::error(e.clone().into(), e.to_string())))?;
        if self.messages.check().is_err() {
            return Err(with_id(ws::error(
                ErrorCode::RateLimited,
                "too many messages; wait a moment",
            )));
        }
        let posted = self
            .state
            .store
            .post_visitor_message(self.site.id, self.visitor.id, id, text)
            .await
            .map_err(|error| with_id(ws::store_error(&error)))?;
        if !posted.duplicate {
            self.state
                .hub
                .publish_event(&posted.conversation, &posted.event);
            self.current = Some(posted.conversation.id);
        }
        Ok(ServerFrame::Ack(Ack {
            client_msg_id,
            conversation_id: posted.event.conversation_id,
            seq: posted.event.seq,
            at: posted.event.at,
            duplicate: posted.duplicate,
        }))
    }

    /// The conversation, if it is this visitor's; anyone else's is "not found".
    async fn own(&self, id: ConversationId) -> Result<ConversationSummary, ErrorFrame> {
        match self.state.store.conversation(id).await {
            Ok(Some(summary)) if summary.visitor_id == self.visitor.id => Ok(summary),
            Ok(_) => Err(ws::error(ErrorCode::NotFound, "no such conversation")),
            Err(error) => Err(ws::store_error(&error)),
        }
    }

    async fn sync(&self, id: ConversationId, after: Seq) -> Result<ServerFrame, ErrorFrame> {
        let summary = self.own(id).await?;
        let events = self
            .state
            .store
            .events_after(id, after, MAX_SYNC_EVENTS)
            .await
            .map_err(|error| ws::store_error(&error))?;
        Ok(ServerFrame::History(History {
            conversation_id: id,
            last_seq: summary.last_seq,
            events,
        }))
    }

    async fn received(&self, id: ConversationId, seq: Seq) -> Result<(), ErrorFrame> {
        let summary = self.own(id).await?;
        if seq <= summary.receipts.visitor_delivered {
            return Ok(());
        }
        let receipts = self
            .state
            .store
            .mark_received(id, Side::Visitor, seq)
            .await
            .map_err(|error| ws::store_error(&error))?;
        self.state.hub.publish_receipts(&summary, receipts);
        Ok(())
    }
}
