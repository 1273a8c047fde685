//! The console's socket: cookie session, same-origin only (no cross-site
//! WebSocket hijacking), every frame checked against the member of staff.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use shopkeep_core::access::{Action, Denied, Viewer};
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::event::Author;
use shopkeep_core::ids::{
    ConversationId, DepartmentId, InternalMessageId, Seq, StaffId, VisitorId,
};
use shopkeep_core::internal::{InternalMessage, Room, RoomKey};
use shopkeep_core::protocol::ErrorCode;
use shopkeep_core::protocol::agent::{ClientFrame, ServerFrame, TransferOutcome, TransferTarget};
use shopkeep_core::protocol::shared::{
    Ack, AgentRef, ConversationSummary, ErrorFrame, ReceiptMark, Side,
};
use shopkeep_core::rules::MAX_INVITATION_CHARS;
use shopkeep_core::staff::AgentStatus;
use shopkeep_core::text::{ClientMsgId, MessageText};
use shopkeep_store::{
    ConversationFilter, NewMail, Posted, StaffOnly, StoreError, StoredInternal, Transitioned,
};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

use crate::auth::routes::me_of;
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::hub::{Audience, to_frame};
use crate::i18n;
use crate::mail::compose;
use crate::state::AppState;
use crate::team::scope;
use crate::tracking::invitations;
use crate::tracking::live::InviteError;
use crate::ws::pipeline::Pipeline;
use crate::ws::{self, Incoming, close};
use crate::{audit, tokens, transfers};

/// How many recently closed conversations the inbox starts with.
const CLOSED_IN_INBOX: u32 = 50;
/// How often a long-lived socket re-checks that its session still exists.
const SESSION_CHECK: Duration = Duration::from_secs(30);
/// Internal chat messages per page of `internal_sync`.
const INTERNAL_PAGE: u32 = 50;

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
    Ok(ws::limit_staff(upgrade)
        .on_upgrade(move |socket| async move {
            run(state, session, socket).await;
            drop(slot);
        })
        .into_response())
}

struct Connection {
    state: AppState,
    session: StaffSession,
    /// This socket's number in the hub, for what the tab has on screen.
    socket: u64,
    /// The console shows the live visitor list and wants its changes.
    watching: AtomicBool,
    /// My access and the team directory's version it was read at: every frame
    /// on the feed is checked against it, so it is rebuilt only when the
    /// directory changes.
    access: std::sync::Mutex<Option<(u64, Viewer)>>,
}

/// Clears what the tab had on screen when the socket ends.
struct Viewing {
    state: AppState,
    socket: u64,
    staff: StaffId,
}

impl Drop for Viewing {
    fn drop(&mut self) {
        let changed = self.state.hub.set_viewing(self.socket, self.staff, None);
        let state = self.state.clone();
        if !changed.is_empty()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                for id in changed {
                    announce_viewers(&state, id).await;
                }
            });
        }
    }
}

async fn run(state: AppState, session: StaffSession, mut socket: WebSocket) {
    let staff = session.staff.clone();
    // Someone added since the directory was read (e.g. straight in the store
    // by the command line) is read in before routing or access needs them.
    if state.team.member(staff.id).is_none()
        && let Err(error) = crate::team::reload(&state).await
    {
        tracing::warn!(%error, "could not re-read the team");
    }
    let (_registration, mut feed) = state.hub.register_staff(staff.id, staff.status);
    state.dispatch.kick();
    let socket_id = state.hub.next_socket_id();
    let _viewing = Viewing {
        state: state.clone(),
        socket: socket_id,
        staff: staff.id,
    };
    let mut shutdown = state.hub.shutdown_signal();
    let conn = Connection {
        state: state.clone(),
        session,
        socket: socket_id,
        watching: AtomicBool::new(false),
        access: std::sync::Mutex::default(),
    };
    let welcome = match conn.welcome().await {
        Ok(welcome) => welcome,
        Err(error) => {
            ws::send(&mut socket, &ServerFrame::Error(ws::store_error(&error))).await;
            return ws::close_with(socket, close::RESTART, "unavailable").await;
        }
    };
    if !ws::send(&mut socket, &welcome).await {
        return;
    }
    let mut session_check = tokio::time::interval(SESSION_CHECK);
    session_check.tick().await;
    let idle = state.settings.socket_idle_timeout;
    let mut sends = Pipeline::new();
    loop {
        tokio::select! {
            reply = sends.next(), if !sends.is_empty() => {
                if !ws::send(&mut socket, &reply).await {
                    return;
                }
            }
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
                        Ok(ClientFrame::Send { conversation_id, client_msg_id, text })
                            if sends.admits(conversation_id) =>
                        {
                            let post = conn.post(conversation_id, client_msg_id, text);
                            sends.start(conversation_id, async { post.await.unwrap_or_else(ServerFrame::Error) });
                            continue;
                        }
                        Ok(frame) => {
                            // Everything else waits for the sends before it, as
                            // if each frame had been handled in turn.
                            while !sends.is_empty() {
                                if !ws::send(&mut socket, &sends.next().await).await {
                                    return;
                                }
                            }
                            conn.handle(frame).await
                        }
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
                    if !conn.wants(&frame.audience) {
                        continue;
                    }
                    let mut lagged = false;
                    let waiting = || loop {
                        match feed.try_recv() {
                            Ok(frame) if conn.wants(&frame.audience) => return Some(frame.json),
                            Ok(_) => {}
                            Err(TryRecvError::Lagged(_)) => {
                                lagged = true;
                                return None;
                            }
                            Err(_) => return None,
                        }
                    };
                    if !ws::send_batch(&mut socket, frame.json, waiting).await {
                        return;
                    }
                    if lagged {
                        return ws::close_with(socket, close::POLICY, "lagged").await;
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

/// Tells the staff who may see a conversation who has it on screen.
async fn announce_viewers(state: &AppState, id: ConversationId) {
    if let Ok(Some(summary)) = state.store.conversation(id).await {
        announce_viewers_of(state, &summary);
    }
}

fn announce_viewers_of(state: &AppState, summary: &ConversationSummary) {
    let id = summary.id;
    let staff: Vec<AgentRef> = state
        .hub
        .viewers(id)
        .into_iter()
        .filter_map(|staff| state.team.member(staff).map(|m| m.as_ref()))
        .collect();
    state.hub.to_conversation_staff(
        summary,
        to_frame(&ServerFrame::Viewers {
            conversation_id: id,
            staff,
        }),
    );
}

/// Like [`Hub::publish_transition`](crate::hub::Hub::publish_transition), for a change of holder or department: staff who could
/// see the chat before also hear where it went, so it leaves their inbox.
fn publish_moved(state: &AppState, before: &ConversationSummary, changed: &Transitioned) {
    state.hub.publish_transition(changed);
    let old = scope(before);
    if old != scope(&changed.conversation) {
        let frame = to_frame(&ServerFrame::Conversation {
            conversation: changed.conversation.clone(),
        });
        state
            .hub
            .to_staff_audience(Audience::Conversation(std::sync::Arc::new(old)), frame);
    }
}

fn ack(client_msg_id: String, posted: &Posted) -> ServerFrame {
    ServerFrame::Ack(Ack {
        client_msg_id,
        conversation_id: posted.event.conversation_id,
        seq: posted.event.seq,
        at: posted.event.at,
        duplicate: posted.duplicate,
    })
}

fn internal_view(message: StoredInternal, room: Room) -> InternalMessage {
    InternalMessage {
        id: message.id,
        room,
        author: message.author,
        text: message.text,
        at: message.at,
        client_msg_id: message.client_msg_id,
    }
}

fn parse_text(text: &str) -> Result<MessageText, ErrorFrame> {
    MessageText::parse(text).map_err(|e| ws::error(e.clone().into(), e.to_string()))
}

fn parse_msg_id(id: &str) -> Result<ClientMsgId, ErrorFrame> {
    ClientMsgId::parse(id).map_err(|e| ws::error(e.clone().into(), e.to_string()))
}

impl Connection {
    fn me(&self) -> AgentRef {
        AgentRef {
            id: self.session.staff.id,
            name: self.session.staff.name.clone(),
        }
    }

    /// Runs `f` with my access as the team directory has it now: roles and
    /// memberships change while the console is open.
    fn with_viewer<R>(&self, f: impl FnOnce(&Viewer) -> R) -> R {
        let version = self.state.team.version();
        let mut access = self
            .access
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((seen, viewer)) = access.as_ref()
            && *seen == version
        {
            return f(viewer);
        }
        let viewer = self
            .state
            .team
            .viewer_by_id(self.session.staff.id)
            .unwrap_or_else(|| self.state.team.viewer(&self.session.staff));
        let answer = f(&viewer);
        *access = Some((version, viewer));
        answer
    }

    fn viewer(&self) -> Viewer {
        self.with_viewer(Viewer::clone)
    }

    fn wants(&self, audience: &Audience) -> bool {
        match audience {
            Audience::Everyone => true,
            Audience::Staff(staff) => *staff == self.session.staff.id,
            Audience::VisitorWatchers => self.watching.load(Ordering::Relaxed),
            Audience::Conversation(scope) => {
                self.with_viewer(|viewer| viewer.can_see(&scope.as_scope()))
            }
        }
    }

    async fn welcome(&self) -> Result<ServerFrame, StoreError> {
        let filter = ConversationFilter {
            open: true,
            closed_limit: CLOSED_IN_INBOX,
        };
        let mut conversations = self.state.store.list_conversations(filter).await?;
        let viewer = self.viewer();
        conversations.retain(|summary| viewer.can_see(&scope(summary).as_scope()));
        let mut me = me_of(&self.session.staff);
        me.departments = viewer.departments.clone();
        me.role = viewer.role;
        if let Some(member) = self.state.team.member(me.id) {
            me.max_chats = member.max_chats;
        }
        Ok(ServerFrame::Welcome {
            me,
            conversations,
            team: self.state.team.team(&self.state.hub),
            departments: self.state.team.departments(),
        })
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
            } => self
                .receipt(conversation_id, seq, ReceiptMark::Delivered)
                .await
                .map(|()| None),
            ClientFrame::Read {
                conversation_id,
                seq,
            } => self
                .receipt(conversation_id, seq, ReceiptMark::Read)
                .await
                .map(|()| None),
            ClientFrame::Transfer {
                conversation_id,
                to,
                note,
            } => self
                .transfer(conversation_id, to, note)
                .await
                .map(|()| None),
            ClientFrame::AnswerTransfer {
                conversation_id,
                accept,
            } => self
                .answer_transfer(conversation_id, accept)
                .await
                .map(|()| None),
            ClientFrame::Whisper {
                conversation_id,
                client_msg_id,
                text,
            } => self
                .staff_only(conversation_id, StaffOnly::Whisper, client_msg_id, text)
                .await
                .map(Some),
            ClientFrame::Note {
                conversation_id,
                client_msg_id,
                text,
            } => self
                .staff_only(conversation_id, StaffOnly::Note, client_msg_id, text)
                .await
                .map(Some),
            ClientFrame::Join { conversation_id } => {
                self.join(conversation_id).await.map(|()| None)
            }
            ClientFrame::Leave { conversation_id } => {
                self.leave(conversation_id).await.map(|()| None)
            }
            ClientFrame::TakeOver { conversation_id } => {
                self.take_over(conversation_id).await.map(|()| None)
            }
            ClientFrame::Viewing { conversation_id } => {
                self.viewing(conversation_id).await.map(|()| None)
            }
            ClientFrame::InternalSend {
                room,
                client_msg_id,
                text,
            } => self
                .internal_send(room, client_msg_id, text)
                .await
                .map(|()| None),
            ClientFrame::InternalSync { room, before } => {
                self.internal_sync(room, before).await.map(Some)
            }
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

    /// The conversation, if I may do `action` with it. A conversation I may
    /// not see is "not found", one I may see but not act on is "forbidden";
    /// both refusals are audited under the frame's name.
    async fn allowed(
        &self,
        id: ConversationId,
        frame: &str,
        action: Action,
    ) -> Result<ConversationSummary, ErrorFrame> {
        let summary = match self.state.store.conversation(id).await {
            Ok(Some(summary)) => summary,
            Ok(None) => return Err(ws::error(ErrorCode::NotFound, "no such conversation")),
            Err(error) => return Err(ws::store_error(&error)),
        };
        let viewer = self.viewer();
        match audit::check(
            &self.state,
            &self.session.staff,
            &viewer,
            &summary,
            action,
            frame,
        )
        .await
        {
            Ok(()) => Ok(summary),
            Err(Denied::Hidden) => Err(ws::error(ErrorCode::NotFound, "no such conversation")),
            Err(denied) => Err(ws::error(ErrorCode::Forbidden, denied.to_string())),
        }
    }

    async fn sync(&self, id: ConversationId, after: Seq) -> Result<ServerFrame, ErrorFrame> {
        let summary = self.allowed(id, "sync", Action::Read).await?;
        let history = ws::history(self.state.store.as_ref(), &summary, after).await?;
        Ok(ServerFrame::History(history))
    }

    async fn take(&self, id: ConversationId) -> Result<(), ErrorFrame> {
        self.allowed(id, "take", Action::Take).await?;
        let taken = self
            .state
            .store
            .take_conversation(id, self.me())
            .await
            .map_err(|e| ws::store_error(&e))?;
        self.state.hub.publish_transition(&taken);
        self.state.dispatch.kick();
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
        let msg_id = parse_msg_id(&client_msg_id).map_err(with_id)?;
        let text = parse_text(&text).map_err(with_id)?;
        let summary = self
            .allowed(id, "send", Action::Post)
            .await
            .map_err(with_id)?;
        let mail = self
            .answer_by_mail(&summary, &msg_id, &text)
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
        Ok(ack(client_msg_id, &posted))
    }

    /// The mail that carries this answer to the visitor, when the conversation
    /// came through the offline form and the visitor left an email. The store
    /// queues it with the message, so both are kept or neither is.
    async fn answer_by_mail(
        &self,
        summary: &ConversationSummary,
        msg_id: &ClientMsgId,
        text: &MessageText,
    ) -> Result<Option<NewMail>, StoreError> {
        let id = summary.id;
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
        let first = self.state.store.visitor_events_after(id, 0, 20).await?;
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
        self.allowed(id, "close", Action::Close).await?;
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
            transfers::cancel(&self.state, id);
            self.state.dispatch.closed(&closed.conversation);
            crate::transcripts::after_close(&self.state, &closed.conversation).await;
        }
        Ok(())
    }

    async fn typing(&self, id: ConversationId, active: bool) -> Result<(), ErrorFrame> {
        let summary = self.allowed(id, "typing", Action::Read).await?;
        let me = self.session.staff.id;
        let in_chat = summary.assignee.as_ref().is_some_and(|a| a.id == me)
            || summary.participants.iter().any(|p| p.id == me);
        if in_chat {
            self.state
                .hub
                .agent_typing(summary.visitor_id, id, &self.session.staff.name, active);
        }
        // Other staff see a colleague typing, whether in the chat or writing a whisper.
        let frame = to_frame(&ServerFrame::Typing {
            conversation_id: id,
            side: Side::Agent,
            active,
            agent: Some(self.me()),
        });
        self.state.hub.to_conversation_staff(&summary, frame);
        Ok(())
    }

    async fn receipt(
        &self,
        id: ConversationId,
        seq: Seq,
        mark: ReceiptMark,
    ) -> Result<(), ErrorFrame> {
        let frame = match mark {
            ReceiptMark::Delivered => "received",
            ReceiptMark::Read => "read",
        };
        let summary = self.allowed(id, frame, Action::Read).await?;
        ws::mark_receipt(&self.state, &summary, Side::Agent, mark, seq).await
    }

    async fn transfer(
        &self,
        id: ConversationId,
        to: TransferTarget,
        note: Option<String>,
    ) -> Result<(), ErrorFrame> {
        let summary = self.allowed(id, "transfer", Action::Transfer).await?;
        if summary.status == ConversationStatus::Closed {
            return Err(ws::error(
                ErrorCode::ConversationClosed,
                "the conversation is closed",
            ));
        }
        let note = note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(parse_text)
            .transpose()?;
        match to {
            TransferTarget::Operator { id: target } => {
                let target = self.transfer_target(&summary, target)?;
                if let Some(note) = &note {
                    self.store_note(id, note.clone()).await?;
                }
                transfers::offer(
                    &self.state,
                    id,
                    self.me(),
                    target,
                    note.map(MessageText::into_string),
                );
            }
            TransferTarget::Department { id: department } => {
                let department = self.transfer_department(&summary, department)?;
                if let Some(note) = note {
                    self.store_note(id, note).await?;
                }
                let moved = self
                    .state
                    .store
                    .transfer_to_department(id, self.me(), department)
                    .await
                    .map_err(|e| ws::store_error(&e))?;
                publish_moved(&self.state, &summary, &moved);
                transfers::cancel(&self.state, id);
                self.state.dispatch.kick();
            }
        }
        Ok(())
    }

    /// A member of staff who can take the chat now: known, online with a
    /// console open, and allowed to see it.
    fn transfer_target(
        &self,
        summary: &ConversationSummary,
        target: StaffId,
    ) -> Result<AgentRef, ErrorFrame> {
        let member = self
            .state
            .team
            .member(target)
            .ok_or_else(|| ws::error(ErrorCode::NotFound, "no such member of staff"))?;
        if target == self.session.staff.id
            || summary.assignee.as_ref().is_some_and(|a| a.id == target)
        {
            return Err(ws::error(
                ErrorCode::InvalidInput,
                "that operator already holds the conversation",
            ));
        }
        if !self.state.hub.is_online(target) {
            return Err(ws::error(
                ErrorCode::TargetOffline,
                "that operator is not online",
            ));
        }
        let may_see = self
            .state
            .team
            .viewer_by_id(target)
            .is_some_and(|viewer| viewer.can_see(&scope(summary).as_scope()));
        if !may_see {
            return Err(ws::error(
                ErrorCode::Forbidden,
                "that operator is not in the conversation's department",
            ));
        }
        Ok(member.as_ref())
    }

    /// A department of the chat's site with someone online to take it.
    fn transfer_department(
        &self,
        summary: &ConversationSummary,
        department: DepartmentId,
    ) -> Result<shopkeep_core::department::DepartmentRef, ErrorFrame> {
        let department = self
            .state
            .team
            .department(department)
            .filter(|d| d.site_id == summary.site_id)
            .ok_or_else(|| ws::error(ErrorCode::NotFound, "no such department"))?;
        if !department
            .draft
            .members
            .iter()
            .any(|member| self.state.hub.is_online(*member))
        {
            return Err(ws::error(
                ErrorCode::TargetOffline,
                "nobody in that department is online",
            ));
        }
        Ok(department.as_ref())
    }

    async fn store_note(&self, id: ConversationId, text: MessageText) -> Result<(), ErrorFrame> {
        let msg_id = ClientMsgId::parse(&format!("transfer-{}", tokens::alphanumeric(20)))
            .map_err(|e| ws::error(ErrorCode::Internal, e.to_string()))?;
        let posted = self
            .state
            .store
            .post_staff_only(id, StaffOnly::Note, self.me(), msg_id, text)
            .await
            .map_err(|e| ws::store_error(&e))?;
        self.state
            .hub
            .publish_event(&posted.conversation, &posted.event);
        Ok(())
    }

    async fn answer_transfer(&self, id: ConversationId, accept: bool) -> Result<(), ErrorFrame> {
        let offer = self
            .state
            .transfers
            .take_for(id, self.session.staff.id)
            .ok_or_else(|| {
                ws::error(
                    ErrorCode::NotFound,
                    "no transfer of that conversation is offered to you",
                )
            })?;
        if !accept {
            transfers::ended(&self.state, id, &offer, TransferOutcome::Declined);
            return Ok(());
        }
        // My access may have changed since the offer was made.
        let before = match self.allowed(id, "answer_transfer", Action::Take).await {
            Ok(summary) => summary,
            Err(refused) => {
                transfers::ended(&self.state, id, &offer, TransferOutcome::Cancelled);
                return Err(refused);
            }
        };
        match self
            .state
            .store
            .hand_conversation(id, offer.from.clone(), self.me())
            .await
        {
            Ok(handed) => {
                publish_moved(&self.state, &before, &handed);
                transfers::ended(&self.state, id, &offer, TransferOutcome::Accepted);
                self.state.dispatch.kick();
                Ok(())
            }
            Err(error) => {
                transfers::ended(&self.state, id, &offer, TransferOutcome::Cancelled);
                Err(ws::store_error(&error))
            }
        }
    }

    async fn staff_only(
        &self,
        id: ConversationId,
        kind: StaffOnly,
        client_msg_id: String,
        text: String,
    ) -> Result<ServerFrame, ErrorFrame> {
        let with_id = |mut frame: ErrorFrame| {
            frame.client_msg_id = Some(client_msg_id.clone());
            frame
        };
        let msg_id = parse_msg_id(&client_msg_id).map_err(with_id)?;
        let text = parse_text(&text).map_err(with_id)?;
        let frame = match kind {
            StaffOnly::Whisper => "whisper",
            StaffOnly::Note => "note",
        };
        self.allowed(id, frame, Action::Annotate)
            .await
            .map_err(with_id)?;
        let posted = self
            .state
            .store
            .post_staff_only(id, kind, self.me(), msg_id, text)
            .await
            .map_err(|error| with_id(ws::store_error(&error)))?;
        if !posted.duplicate {
            self.state
                .hub
                .publish_event(&posted.conversation, &posted.event);
        }
        Ok(ack(client_msg_id, &posted))
    }

    async fn join(&self, id: ConversationId) -> Result<(), ErrorFrame> {
        self.allowed(id, "join", Action::Join).await?;
        let joined = self
            .state
            .store
            .join_conversation(id, self.me())
            .await
            .map_err(|e| ws::store_error(&e))?;
        self.state.hub.publish_transition(&joined);
        Ok(())
    }

    async fn leave(&self, id: ConversationId) -> Result<(), ErrorFrame> {
        self.allowed(id, "leave", Action::Read).await?;
        let left = self
            .state
            .store
            .leave_conversation(id, self.me())
            .await
            .map_err(|e| ws::store_error(&e))?;
        self.state.hub.publish_transition(&left);
        Ok(())
    }

    async fn take_over(&self, id: ConversationId) -> Result<(), ErrorFrame> {
        let before = self.allowed(id, "take_over", Action::TakeOver).await?;
        let handed = self
            .state
            .store
            .hand_conversation(id, self.me(), self.me())
            .await
            .map_err(|e| ws::store_error(&e))?;
        publish_moved(&self.state, &before, &handed);
        transfers::cancel(&self.state, id);
        self.state.dispatch.kick();
        Ok(())
    }

    async fn viewing(&self, id: Option<ConversationId>) -> Result<(), ErrorFrame> {
        let viewed = match id {
            Some(id) => Some(self.allowed(id, "viewing", Action::Read).await?),
            None => None,
        };
        let changed = self
            .state
            .hub
            .set_viewing(self.socket, self.session.staff.id, id);
        for conversation in changed {
            match &viewed {
                Some(summary) if summary.id == conversation => {
                    announce_viewers_of(&self.state, summary);
                }
                _ => announce_viewers(&self.state, conversation).await,
            }
        }
        Ok(())
    }

    /// The room, checked: a direct room needs another member of staff.
    fn room_key(&self, room: Room) -> Result<RoomKey, ErrorFrame> {
        if let Room::Direct { with } = room
            && (with == self.session.staff.id || self.state.team.member(with).is_none())
        {
            return Err(ws::error(ErrorCode::NotFound, "no such member of staff"));
        }
        Ok(RoomKey::of(room, self.session.staff.id))
    }

    async fn internal_send(
        &self,
        room: Room,
        client_msg_id: String,
        text: String,
    ) -> Result<(), ErrorFrame> {
        let with_id = |mut frame: ErrorFrame| {
            frame.client_msg_id = Some(client_msg_id.clone());
            frame
        };
        let msg_id = parse_msg_id(&client_msg_id).map_err(with_id)?;
        let text = parse_text(&text).map_err(with_id)?;
        let key = self.room_key(room).map_err(with_id)?;
        let (stored, duplicate) = self
            .state
            .store
            .post_internal(key, self.me(), msg_id, text)
            .await
            .map_err(|error| with_id(ws::store_error(&error)))?;
        let me = self.session.staff.id;
        if duplicate {
            // Only the author's tabs need the echo again.
            let frame = to_frame(&ServerFrame::Internal {
                message: internal_view(stored, room),
            });
            self.state.hub.to_one_staff(me, frame);
            return Ok(());
        }
        match key {
            RoomKey::Team => {
                let frame = to_frame(&ServerFrame::Internal {
                    message: internal_view(stored, Room::Team),
                });
                self.state.hub.to_staff_audience(Audience::Everyone, frame);
            }
            RoomKey::Direct(a, b) => {
                for reader in [a, b] {
                    if let Some(seen) = key.seen_by(reader) {
                        let frame = to_frame(&ServerFrame::Internal {
                            message: internal_view(stored.clone(), seen),
                        });
                        self.state.hub.to_one_staff(reader, frame);
                    }
                }
            }
        }
        Ok(())
    }

    async fn internal_sync(
        &self,
        room: Room,
        before: Option<InternalMessageId>,
    ) -> Result<ServerFrame, ErrorFrame> {
        let key = self.room_key(room)?;
        let mut messages = self
            .state
            .store
            .internal_messages(key, before, INTERNAL_PAGE + 1)
            .await
            .map_err(|e| ws::store_error(&e))?;
        let more = messages.len() > INTERNAL_PAGE as usize;
        messages.truncate(INTERNAL_PAGE as usize);
        messages.reverse();
        Ok(ServerFrame::InternalHistory {
            room,
            messages: messages
                .into_iter()
                .map(|message| internal_view(message, room))
                .collect(),
            more,
        })
    }

    async fn invite(&self, visitor: VisitorId, text: Option<String>) -> Result<(), ErrorFrame> {
        let text = match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => {
                let parsed = parse_text(text)?;
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
        self.state.dispatch.kick();
        Ok(())
    }
}
