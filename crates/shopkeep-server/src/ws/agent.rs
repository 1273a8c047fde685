//! The console's socket: cookie session, same-origin only (no cross-site
//! WebSocket hijacking), every frame checked against the member of staff.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use shopkeep_core::event::Author;
use shopkeep_core::ids::{ConversationId, Seq, VisitorId};
use shopkeep_core::protocol::ErrorCode;
use shopkeep_core::protocol::agent::{ClientFrame, ServerFrame};
use shopkeep_core::protocol::shared::{Ack, AgentRef, ConversationSummary, ErrorFrame, Side};
use shopkeep_core::rules::MAX_INVITATION_CHARS;
use shopkeep_core::staff::AgentStatus;
use shopkeep_core::text::{ClientMsgId, MessageText};
use shopkeep_store::{ConversationFilter, NewMail, StoreError};
use tokio::sync::broadcast::error::RecvError;

use crate::auth::routes::me_of;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::i18n;
use crate::mail::compose;
use crate::state::AppState;
use crate::tracking::invitations;
use crate::tracking::live::InviteError;
use crate::ws::{self, Incoming, close};

/// How many recently closed conversations the inbox starts with.
const CLOSED_IN_INBOX: u32 = 50;
/// How often a long-lived socket re-checks that its session still exists.
const SESSION_CHECK: Duration = Duration::from_secs(30);

pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Result<StaffSession, ApiError>,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    if !state.public.matches_request(&headers) {
        tracing::warn!(ip = %peer.ip(), origin = ?headers.get("origin"), "console socket from a foreign origin");
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "cross-origin socket refused",
        ));
    }
    let session = session?;
    let Some(slot) = state.sockets.acquire(peer.ip()) else {
        return Err(ApiError::rate_limited());
    };
    Ok(ws::limit(upgrade)
        .on_upgrade(move |socket| async move {
            run(state, session, socket).await;
            drop(slot);
        })
        .into_response())
}

struct Connection {
    state: AppState,
    session: StaffSession,
    /// The console shows the live visitor list and wants its changes.
    watching: AtomicBool,
}

async fn run(state: AppState, session: StaffSession, mut socket: WebSocket) {
    let staff = session.staff.clone();
    let (_registration, mut feed) = state.hub.register_staff(staff.id, staff.status);
    let mut shutdown = state.hub.shutdown_signal();
    let filter = ConversationFilter {
        open: true,
        closed_limit: CLOSED_IN_INBOX,
    };
    let conversations = match state.store.list_conversations(filter).await {
        Ok(list) => list,
        Err(error) => {
            ws::send(&mut socket, &ServerFrame::Error(ws::store_error(&error))).await;
            return ws::close_with(socket, close::RESTART, "unavailable").await;
        }
    };
    if !ws::send(
        &mut socket,
        &ServerFrame::Welcome {
            me: me_of(&staff),
            conversations,
        },
    )
    .await
    {
        return;
    }
    let conn = Connection {
        state: state.clone(),
        session,
        watching: AtomicBool::new(false),
    };
    let mut session_check = tokio::time::interval(SESSION_CHECK);
    session_check.tick().await;
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
            frame = feed.recv() => match frame {
                Ok(frame) => {
                    let wanted = frame.only.is_none_or(|only| only == staff.id)
                        && (!frame.visitors || conn.watching.load(Ordering::Relaxed));
                    if wanted && !ws::send_frame(&mut socket, frame.json).await {
                        return;
                    }
                }
                // Fell behind the feed: drop the socket; the console reconnects and resyncs.
                Err(RecvError::Lagged(_)) => return ws::close_with(socket, close::POLICY, "lagged").await,
                Err(RecvError::Closed) => return,
            },
            _ = session_check.tick() => {
                if !conn.session_alive().await {
                    let frame = ws::error(ErrorCode::Unauthorized, "the session ended; log in again");
                    ws::send(&mut socket, &ServerFrame::Error(frame)).await;
                    return ws::close_with(socket, close::POLICY, "session ended").await;
                }
            }
            _ = shutdown.changed() => {
                ws::send(&mut socket, &ServerFrame::Reconnect { after_ms: ws::reconnect_delay_ms() }).await;
                return ws::close_with(socket, close::RESTART, "restarting").await;
            }
        }
    }
}

impl Connection {
    fn me(&self) -> AgentRef {
        AgentRef {
            id: self.session.staff.id,
            name: self.session.staff.name.clone(),
        }
    }

    async fn session_alive(&self) -> bool {
        let now = shopkeep_store::sqlite::now();
        matches!(
            self.state
                .store
                .session(self.session.token_hash(), now)
                .await,
            Ok(Some(_))
        )
    }

    async fn handle(&self, frame: ClientFrame) -> Option<ServerFrame> {
        let result = match frame {
            ClientFrame::Sync {
                conversation_id,
                after_seq,
            } => self.sync(conversation_id, after_seq).await.map(Some),
            ClientFrame::Take { conversation_id } => {
                self.take(conversation_id).await.map(|()| None)
            }
            ClientFrame::Send {
                conversation_id,
                client_msg_id,
                text,
            } => self
                .post(conversation_id, client_msg_id, text)
                .await
                .map(Some),
            ClientFrame::Close { conversation_id } => {
                self.close(conversation_id).await.map(|()| None)
            }
            ClientFrame::Typing {
                conversation_id,
                active,
            } => self.typing(conversation_id, active).await.map(|()| None),
            ClientFrame::Received {
                conversation_id,
                seq,
            } => self.received(conversation_id, seq).await.map(|()| None),
            ClientFrame::SetStatus { status } => self.set_status(status).await.map(|()| None),
            ClientFrame::Ping => Ok(Some(ServerFrame::Pong)),
            ClientFrame::WatchVisitors { watch } => {
                self.watching.store(watch, Ordering::Relaxed);
                Ok(watch.then(|| ServerFrame::Visitors {
                    visitors: self.state.tracker.snapshot(),
                }))
            }
            ClientFrame::Invite { visitor_id, text } => {
                self.invite(visitor_id, text).await.map(|()| None)
            }
        };
        match result {
            Ok(reply) => reply,
            Err(frame) => Some(ServerFrame::Error(frame)),
        }
    }

    async fn conversation(&self, id: ConversationId) -> Result<ConversationSummary, ErrorFrame> {
        match self.state.store.conversation(id).await {
            Ok(Some(summary)) => Ok(summary),
            Ok(None) => Err(ws::error(ErrorCode::NotFound, "no such conversation")),
            Err(error) => Err(ws::store_error(&error)),
        }
    }

    async fn sync(&self, id: ConversationId, after: Seq) -> Result<ServerFrame, ErrorFrame> {
        let summary = self.conversation(id).await?;
        let history = ws::history(self.state.store.as_ref(), &summary, after).await?;
        Ok(ServerFrame::History(history))
    }

    async fn take(&self, id: ConversationId) -> Result<(), ErrorFrame> {
        let taken = self
            .state
            .store
            .take_conversation(id, self.me())
            .await
            .map_err(|e| ws::store_error(&e))?;
        match &taken.event {
            Some(event) => self.state.hub.publish_event(&taken.conversation, event),
            None => self.state.hub.publish_summary(&taken.conversation),
        }
        Ok(())
    }

    async fn post(
        &self,
        id: ConversationId,
        client_msg_id: String,
        text: String,
    ) -> Result<ServerFrame, ErrorFrame> {
        let with_id = |mut frame: ErrorFrame| {
            frame.client_msg_id = Some(client_msg_id.clone());
            frame
        };
        let msg_id = ClientMsgId::parse(&client_msg_id)
            .map_err(|e| with_id(ws::error(e.clone().into(), e.to_string())))?;
        let text = MessageText::parse(&text)
            .map_err(|e| with_id(ws::error(e.clone().into(), e.to_string())))?;
        let mail = self
            .answer_by_mail(id, &msg_id, &text)
            .await
            .map_err(|error| with_id(ws::store_error(&error)))?;
        let queued = mail.is_some();
        let posted = self
            .state
            .store
            .post_agent_message(id, self.me(), msg_id, text, mail)
            .await
            .map_err(|error| with_id(ws::store_error(&error)))?;
        if !posted.duplicate {
            self.state
                .hub
                .publish_event(&posted.conversation, &posted.event);
            if queued {
                self.state.mailer.wake();
            }
        }
        Ok(ServerFrame::Ack(Ack {
            client_msg_id,
            conversation_id: id,
            seq: posted.event.seq,
            at: posted.event.at,
            duplicate: posted.duplicate,
        }))
    }

    /// The mail that carries this answer to the visitor, when the conversation
    /// came through the offline form and the visitor left an email. The store
    /// queues it with the message, so both are kept or neither is.
    async fn answer_by_mail(
        &self,
        id: ConversationId,
        msg_id: &ClientMsgId,
        text: &MessageText,
    ) -> Result<Option<NewMail>, StoreError> {
        let Some(summary) = self.state.store.conversation(id).await? else {
            return Ok(None);
        };
        if !summary.offline {
            return Ok(None);
        }
        let Some(visitor) = self.state.store.visitor(summary.visitor_id).await? else {
            return Ok(None);
        };
        let Some(to) = compose::visitor_address(&visitor) else {
            return Ok(None);
        };
        let Some(site) = self.state.store.site(summary.site_id).await? else {
            return Ok(None);
        };
        let first = self.state.store.events_after(id, 0, 20).await?;
        let lang = self
            .state
            .tracker
            .live(visitor.id)
            .and_then(|live| live.lang);
        Ok(Some(compose::reply(
            &site,
            compose::visitor_lang(&site, lang.as_deref()),
            to,
            &self.session.staff.name,
            text.as_str(),
            compose::first_visitor_message(&first),
            format!("reply:{id}:{}", msg_id.as_str()),
        )))
    }

    async fn close(&self, id: ConversationId) -> Result<(), ErrorFrame> {
        let me = self.me();
        let by = Author::Agent {
            id: me.id,
            name: me.name,
        };
        let closed = self
            .state
            .store
            .close_conversation(id, by)
            .await
            .map_err(|e| ws::store_error(&e))?;
        if let Some(event) = &closed.event {
            self.state.hub.publish_event(&closed.conversation, event);
            crate::transcripts::after_close(&self.state, &closed.conversation).await;
        }
        Ok(())
    }

    async fn typing(&self, id: ConversationId, active: bool) -> Result<(), ErrorFrame> {
        let summary = self.conversation(id).await?;
        if summary
            .assignee
            .as_ref()
            .is_some_and(|a| a.id == self.session.staff.id)
        {
            self.state
                .hub
                .agent_typing(summary.visitor_id, id, &self.session.staff.name, active);
        }
        Ok(())
    }

    async fn received(&self, id: ConversationId, seq: Seq) -> Result<(), ErrorFrame> {
        let summary = self.conversation(id).await?;
        if seq <= summary.receipts.agent_delivered {
            return Ok(());
        }
        let receipts = self
            .state
            .store
            .mark_received(id, Side::Agent, seq)
            .await
            .map_err(|error| ws::store_error(&error))?;
        self.state.hub.publish_receipts(&summary, receipts);
        Ok(())
    }

    async fn invite(&self, visitor: VisitorId, text: Option<String>) -> Result<(), ErrorFrame> {
        let text = match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => {
                let parsed = MessageText::parse(text)
                    .map_err(|e| ws::error(e.clone().into(), e.to_string()))?;
                if parsed.as_str().chars().count() > MAX_INVITATION_CHARS {
                    return Err(ws::error(
                        ErrorCode::TextTooLong,
                        format!("an invitation is at most {MAX_INVITATION_CHARS} characters"),
                    ));
                }
                parsed.into_string()
            }
            None => {
                let lang = self.state.tracker.live(visitor).and_then(|v| v.lang);
                i18n::default_invitation(lang.as_deref()).to_owned()
            }
        };
        // The session's copy is from when the console connected; the photo and
        // name shown to the visitor are the current ones.
        let me = self
            .state
            .store
            .staff(self.session.staff.id)
            .await
            .map_err(|e| ws::store_error(&e))?
            .unwrap_or_else(|| self.session.staff.clone());
        invitations::invite(&self.state, visitor, &me, None, text).map_err(|error| {
            let code = match error {
                InviteError::NotHere => ErrorCode::NotFound,
                InviteError::Chatting | InviteError::Pending => ErrorCode::InvalidInput,
            };
            ws::error(code, error.to_string())
        })?;
        Ok(())
    }

    async fn set_status(&self, status: AgentStatus) -> Result<(), ErrorFrame> {
        let staff = self.session.staff.id;
        self.state
            .store
            .set_staff_status(staff, status)
            .await
            .map_err(|e| ws::store_error(&e))?;
        self.state.hub.set_status(staff, status);
        Ok(())
    }
}
