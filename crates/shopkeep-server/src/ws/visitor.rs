//! The widget's socket. A visitor is identified only by their token; every
//! frame that names a conversation is checked against that visitor.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::USER_AGENT;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::Deserialize;
use shopkeep_core::Millis;
use shopkeep_core::conversation::ConversationStatus;
use shopkeep_core::department::{DepartmentChoice, department_for_page};
use shopkeep_core::email::{EmailAddress, HeaderText};
use shopkeep_core::hours::Schedule;
use shopkeep_core::ids::DepartmentId;
use shopkeep_core::ids::{ContactId, ConversationId, InvitationId, Seq, VisitorId};
use shopkeep_core::protocol::ErrorCode;
use shopkeep_core::protocol::agent;
use shopkeep_core::protocol::shared::ReceiptMark;
use shopkeep_core::protocol::shared::{Ack, ConversationView, ErrorFrame};
use shopkeep_core::protocol::shared::{ConversationSummary, Side};
use shopkeep_core::protocol::visitor::{
    Availability, ChatOptions, ClientFrame, ServerFrame, WidgetLook,
};
use shopkeep_core::text::{ClientMsgId, MAX_NAME_CHARS, MessageText};
use shopkeep_core::tracking::{ChatRef, Identity};
use shopkeep_core::{identity, privacy, site};
use shopkeep_store::{OfflineMessage, Site, StoreError, Visitor};

use crate::error::ApiError;
use crate::hub::{ContactLink, to_frame};
use crate::mail::compose;
use crate::origin::request_origin;
use crate::state::AppState;
use crate::tokens;
use crate::tracking::client_ip::client_ip;
use crate::tracking::input::{self, InputError};
use crate::tracking::live::{Arrival, Tracker};
use crate::tracking::useragent;
use crate::ws::{self, Incoming, close};

/// The first frame must come quickly; an open socket that never says hello is dropped.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Most characters of a draft shown to operators (a message's limit).
const MAX_DRAFT_CHARS: usize = 4000;
/// Least time between two drafts forwarded from one socket.
const DRAFT_EVERY: Duration = Duration::from_millis(250);
/// Page reports a socket may send per second (bursts of twice that); a single-page
/// shop navigates far less, a flood is dropped without slowing anyone else.
const PAGES_PER_SECOND: u32 = 10;

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
    let client = ClientInfo {
        ip: client_ip(
            peer.ip(),
            &headers,
            &state.settings.tracking.trusted_proxies,
        ),
        user_agent: headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .take(512)
            .collect(),
    };
    Ok(ws::limit(upgrade)
        .on_upgrade(move |socket| async move {
            run(state, site, peer, client, socket).await;
            drop(slot);
        })
        .into_response())
}

/// Who is at the other end, from the upgrade request.
struct ClientInfo {
    /// The visitor's address (through a trusted proxy, if any); only used for
    /// the country lookup, after truncation, and never stored.
    ip: IpAddr,
    user_agent: String,
}

struct Connection {
    state: AppState,
    site: Site,
    visitor: Visitor,
    /// The visitor's newest conversation, for typing notices.
    current: Option<ConversationId>,
    messages: DefaultDirectRateLimiter,
    pages: DefaultDirectRateLimiter,
    offline: DefaultDirectRateLimiter,
    transcripts: DefaultDirectRateLimiter,
    /// The visitor's address, for the per-IP mail limits.
    ip: IpAddr,
    /// The contact this connection proved to be (valid identity HMAC).
    contact: Option<ContactId>,
    _contact_link: Option<ContactLink>,
    /// Whether this visitor's browsing is tracked (site setting and DNT).
    tracked: bool,
    lang: Option<String>,
    /// When the last draft went to the operators (sneak peek is throttled).
    last_draft: Option<tokio::time::Instant>,
}

/// Marks the visitor as gone from the live list when the socket ends.
struct Departure {
    tracker: Arc<Tracker>,
    visitor: VisitorId,
}

impl Drop for Departure {
    fn drop(&mut self) {
        self.tracker
            .depart(self.visitor, shopkeep_store::sqlite::now());
    }
}

async fn run(
    state: AppState,
    site: Site,
    peer: SocketAddr,
    client: ClientInfo,
    mut socket: WebSocket,
) {
    let (token, lang, dnt) = match tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await {
        Err(_) => return ws::close_with(socket, close::POLICY, "hello expected").await,
        Ok(message) => match ws::classify(&message) {
            Incoming::Text(text) => match ws::parse::<ClientFrame>(text) {
                Ok(ClientFrame::Hello { token, lang, dnt }) => (token, lang, dnt),
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
    let lang = lang.and_then(|tag| input::lang(&tag).ok());
    let (visitor, token) = match Box::pin(identify(&state, &site, token, peer, &mut socket)).await {
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
    let (mut available, mut next_change) = availability(&site, shopkeep_store::sqlite::now());
    let mut site_changes = state.hub.site_changes();
    let mut presence = state.hub.presence_changes();
    let mut shown_choice = department_choice(&state, &site);
    // Outside opening hours nobody takes chats, whoever is logged in: the
    // launcher then says so too.
    let mut shown_online = *online.borrow_and_update() && available.open;
    let welcome = ServerFrame::Welcome {
        visitor_id: visitor.id,
        token,
        operators_online: shown_online,
        look: WidgetLook {
            site_name: site.name.clone(),
            color: site.color.clone(),
            lang: site.lang.clone(),
        },
        conversation: latest.as_ref().map(view),
        availability: Some(available.clone()),
        chat: Some(ChatOptions {
            departments: shown_choice.clone().unwrap_or_default(),
            sneak_peek: site.chat.sneak_peek,
        }),
    };
    if !ws::send(&mut socket, &welcome).await {
        return;
    }
    if let Some((invitation, photo)) = state.tracker.pending_invitation(visitor.id) {
        let frame = ServerFrame::Invitation {
            invitation_id: invitation.id,
            agent: invitation.agent,
            photo,
            text: invitation.text,
        };
        if !ws::send(&mut socket, &frame).await {
            return;
        }
    }
    let tracked = site.tracking.enabled && !(site.tracking.honor_dnt && dnt);
    let _departure = tracked.then(|| {
        let chat = latest
            .as_ref()
            .filter(|c| c.status != ConversationStatus::Closed)
            .map(|c| ChatRef {
                conversation_id: c.id,
                assignee: c.assignee.clone(),
            });
        state.tracker.arrive(
            Arrival {
                site: site.id,
                visitor: visitor.id,
                identity: Identity {
                    name: visitor.name.clone(),
                    email: visitor.email.clone(),
                    phone: visitor.phone.clone(),
                    ..Identity::default()
                },
                attributes: visitor.attributes.clone(),
                country: state
                    .geo
                    .as_ref()
                    .and_then(|geo| geo.country(privacy::truncate_ip(client.ip))),
                client: useragent::parse(&client.user_agent),
                lang: lang.clone(),
                chat,
            },
            shopkeep_store::sqlite::now(),
        );
        Departure {
            tracker: state.tracker.clone(),
            visitor: visitor.id,
        }
    });
    let limits = &state.settings.limits;
    let frames = per_second(limits.frames_per_second);
    let mut conn = Connection {
        messages: RateLimiter::direct(per_minute(limits.visitor_messages_per_minute)),
        pages: per_second(PAGES_PER_SECOND),
        offline: RateLimiter::direct(per_minute(limits.offline_messages_per_minute)),
        transcripts: RateLimiter::direct(per_minute(limits.transcripts_per_minute)),
        ip: client.ip,
        current: latest.map(|c| c.id),
        state: state.clone(),
        site,
        visitor,
        contact: None,
        _contact_link: None,
        tracked,
        lang,
        last_draft: None,
    };
    let idle = state.settings.socket_idle_timeout;
    let flip = tokio::time::sleep(until(next_change));
    tokio::pin!(flip);
    loop {
        tokio::select! {
            () = &mut flip, if next_change.is_some() => {
                if !recheck(&mut socket, &conn.site, &mut available, &mut next_change, flip.as_mut()).await {
                    return;
                }
                let now_online = *online.borrow() && available.open;
                if !tell_online(&mut socket, &mut shown_online, now_online, &mut shown_choice, department_choice(&state, &conn.site)).await {
                    return;
                }
            }
            changed = site_changes.recv() => {
                let ours = match changed {
                    Ok(id) => id == conn.site.id,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => true,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => false,
                };
                if !ours {
                    continue;
                }
                match state.store.site(conn.site.id).await {
                    Ok(Some(fresh)) => conn.site = fresh,
                    Ok(None) => {}
                    Err(error) => tracing::warn!(%error, "could not re-read the site's settings"),
                }
                if !recheck(&mut socket, &conn.site, &mut available, &mut next_change, flip.as_mut()).await {
                    return;
                }
                let now_online = *online.borrow() && available.open;
                if !tell_online(&mut socket, &mut shown_online, now_online, &mut shown_choice, department_choice(&state, &conn.site)).await {
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
                    Incoming::Text(_) if frames.check().is_err() => {
                        Some(ServerFrame::Error(ws::error(ErrorCode::RateLimited, "too many frames; slow down")))
                    }
                    Incoming::Text(text) => match ws::parse::<ClientFrame>(text) {
                        Ok(frame) => Box::pin(conn.handle(frame)).await,
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
                Some(frame) => {
                    if !ws::send_batch(&mut socket, frame, || queue.try_recv().ok()).await {
                        return;
                    }
                }
                None => return ws::close_with(socket, close::POLICY, "not reading").await,
            },
            Ok(()) = online.changed() => {
                let now_online = *online.borrow_and_update() && available.open;
                if !tell_online(&mut socket, &mut shown_online, now_online, &mut shown_choice, department_choice(&state, &conn.site)).await {
                    return;
                }
            }
            Ok(()) = presence.changed() => {
                presence.borrow_and_update();
                let now_online = *online.borrow() && available.open;
                if !tell_online(&mut socket, &mut shown_online, now_online, &mut shown_choice, department_choice(&state, &conn.site)).await {
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

/// Sends `status` when whether someone takes chats now, or who is online in
/// the offered departments, changed. False once the socket is gone.
async fn tell_online(
    socket: &mut WebSocket,
    shown: &mut bool,
    now: bool,
    shown_choice: &mut Option<Vec<DepartmentChoice>>,
    choice: Option<Vec<DepartmentChoice>>,
) -> bool {
    if *shown == now && *shown_choice == choice {
        return true;
    }
    *shown = now;
    *shown_choice = choice.clone();
    ws::send(
        socket,
        &ServerFrame::Status {
            operators_online: now,
            departments: choice,
        },
    )
    .await
}

/// The departments the widget offers, with whether a member is online; `None`
/// when the site does not let visitors choose.
fn department_choice(state: &AppState, site: &Site) -> Option<Vec<DepartmentChoice>> {
    if !site.chat.choose_department {
        return None;
    }
    Some(
        state
            .team
            .site_departments(site.id)
            .into_iter()
            .filter(|d| d.draft.public)
            .map(|d| DepartmentChoice {
                id: d.id,
                name: d.draft.name.clone(),
                online: d.draft.members.iter().any(|m| state.hub.is_online(*m)),
            })
            .collect(),
    )
}

/// Answers the opening hours again, and tells the widget if that changed;
/// re-arms `flip` for the next change. False once the socket is gone.
async fn recheck(
    socket: &mut WebSocket,
    site: &Site,
    shown: &mut Availability,
    next_change: &mut Option<Millis>,
    flip: std::pin::Pin<&mut tokio::time::Sleep>,
) -> bool {
    let (now, change) = availability(site, shopkeep_store::sqlite::now());
    *next_change = change;
    flip.reset(tokio::time::Instant::now() + until(change));
    if now == *shown {
        return true;
    }
    *shown = now.clone();
    ws::send(socket, &ServerFrame::Availability { availability: now }).await
}

/// Whether the site takes chats at `now` by its opening hours, and when that
/// next changes. Hours that no longer parse count as none (always open).
fn availability(site: &Site, now: Millis) -> (Availability, Option<Millis>) {
    let schedule = site
        .hours
        .as_ref()
        .and_then(|hours| Schedule::parse(hours).ok());
    let open = schedule.as_ref().is_none_or(|s| s.is_open(now));
    let availability = Availability {
        open,
        back_at: schedule
            .as_ref()
            .filter(|_| !open)
            .and_then(|s| s.next_open(now)),
        time_zone: schedule
            .as_ref()
            .and_then(|s| s.time_zone().map(str::to_owned)),
        consent_text: consent_text(site).map(str::to_owned),
    };
    (availability, schedule.and_then(|s| s.next_change(now)))
}

fn consent_text(site: &Site) -> Option<&str> {
    site.mail
        .consent_text
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// How long to sleep until `at` (a day at most: wall clocks get adjusted, and
/// a far-off change is simply looked at again).
fn until(at: Option<Millis>) -> Duration {
    let wait = at.map_or(0, |at| at.saturating_sub(shopkeep_store::sqlite::now()));
    Duration::from_millis(u64::try_from(wait).unwrap_or(0).clamp(1, 86_400_000) + 1)
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
        offline: summary.offline,
        assignee: summary.assignee.clone(),
        participants: summary.participants.clone(),
        last_seq: summary.visible_seq,
        receipts: summary.receipts.seen_by_visitor(summary.visible_seq),
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

/// The offline form's fields as sent, before they are checked.
struct OfflineForm {
    name: String,
    email: String,
    phone: Option<String>,
    message: String,
    consent: bool,
    website: Option<String>,
    department: Option<DepartmentId>,
}

fn invalid(error: InputError) -> ErrorFrame {
    ws::error(ErrorCode::InvalidInput, error.to_string())
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
                department_id,
            } => self
                .post(client_msg_id, text, department_id)
                .await
                .map(Some),
            ClientFrame::Sync {
                conversation_id,
                after_seq,
            } => self.sync(conversation_id, after_seq).await.map(Some),
            ClientFrame::Typing { active, draft } => {
                self.typing(active, draft).await.map(|()| None)
            }
            ClientFrame::Read {
                conversation_id,
                seq,
            } => self
                .receipt(conversation_id, seq, ReceiptMark::Read)
                .await
                .map(|()| None),
            ClientFrame::Received {
                conversation_id,
                seq,
            } => self
                .receipt(conversation_id, seq, ReceiptMark::Delivered)
                .await
                .map(|()| None),
            ClientFrame::Ping => Ok(Some(ServerFrame::Pong)),
            ClientFrame::Page {
                url,
                title,
                referrer,
            } => self
                .page(&url, &title, referrer.as_deref())
                .await
                .map(|()| None),
            ClientFrame::Activity { active } => {
                if self.tracked {
                    self.state.tracker.activity(self.visitor.id, active);
                }
                Ok(None)
            }
            ClientFrame::Identify {
                id,
                name,
                email,
                phone,
                hash,
            } => self.identify(id, name, email, phone, hash).await.map(Some),
            ClientFrame::Set { attributes } => self.set(&attributes).await.map(|()| None),
            ClientFrame::Language { lang } => self.language(&lang).map(|()| None),
            ClientFrame::AnswerInvitation {
                invitation_id,
                accept,
            } => self.answer(invitation_id, accept).await,
            ClientFrame::OfflineMessage {
                client_msg_id,
                name,
                email,
                phone,
                message,
                consent,
                website,
                department_id,
            } => self
                .offline_message(
                    client_msg_id,
                    OfflineForm {
                        name,
                        email,
                        phone,
                        message,
                        consent,
                        website,
                        department: department_id,
                    },
                )
                .await
                .map(Some),
            ClientFrame::EmailTranscript {
                conversation_id,
                email,
            } => self
                .email_transcript(conversation_id, &email)
                .await
                .map(Some),
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
        department: Option<DepartmentId>,
    ) -> Result<ServerFrame, ErrorFrame> {
        let with_id = |mut frame: ErrorFrame| {
            frame.client_msg_id = Some(client_msg_id.clone());
            frame
        };
        let id = ClientMsgId::parse(&client_msg_id)
            .map_err(|e| with_id(ws::error(e.clone().into(), e.to_string())))?;
        let text = MessageText::parse(&text)
            .map_err(|e| with_id(ws::error(e.clone().into(), e.to_string())))?;
        let department = match department {
            Some(chosen) => Some(self.chosen_department(chosen).map_err(with_id)?),
            None => self.page_department(),
        };
        if self.messages.check().is_err() {
            return Err(with_id(ws::error(
                ErrorCode::RateLimited,
                "too many messages; wait a moment",
            )));
        }
        let posted = self
            .state
            .store
            .post_visitor_message(
                self.site.id,
                self.visitor.id,
                self.contact,
                id,
                text,
                department,
            )
            .await
            .map_err(|error| with_id(ws::store_error(&error)))?;
        if !posted.duplicate {
            self.state
                .hub
                .publish_event(&posted.conversation, &posted.event);
            self.current = Some(posted.conversation.id);
            if posted.opened {
                self.state.dispatch.kick();
            }
        }
        Ok(ServerFrame::Ack(Ack {
            client_msg_id,
            conversation_id: posted.event.conversation_id,
            seq: posted.event.seq,
            at: posted.event.at,
            duplicate: posted.duplicate,
        }))
    }

    async fn offline_message(
        &mut self,
        client_msg_id: String,
        form: OfflineForm,
    ) -> Result<ServerFrame, ErrorFrame> {
        let with_id = |mut frame: ErrorFrame| {
            frame.client_msg_id = Some(client_msg_id.clone());
            frame
        };
        let id = ClientMsgId::parse(&client_msg_id)
            .map_err(|e| with_id(ws::error(e.clone().into(), e.to_string())))?;
        let bad = |what: &str| with_id(ws::error(ErrorCode::InvalidInput, what));
        let name = HeaderText::parse(&form.name)
            .ok()
            .filter(|name| name.as_str().chars().count() <= MAX_NAME_CHARS)
            .ok_or_else(|| {
                bad("the name must be 1 to 100 characters on one line, without control characters")
            })?;
        let email =
            EmailAddress::parse(&form.email).map_err(|_| bad("the email address is not valid"))?;
        let claims = input::claims(
            Some(name.as_str()),
            Some(email.as_str()),
            form.phone.as_deref(),
        )
        .map_err(|e| with_id(invalid(e)))?;
        let text = MessageText::parse(&form.message)
            .map_err(|e| with_id(ws::error(e.clone().into(), e.to_string())))?;
        if consent_text(&self.site).is_some() && !form.consent {
            return Err(bad("the consent box must be ticked"));
        }
        let department = form
            .department
            .map(|chosen| self.chosen_department(chosen))
            .transpose()
            .map_err(with_id)?;
        if self.offline.check().is_err()
            || self
                .state
                .limiters
                .offline_messages
                .check_key(&self.ip)
                .is_err()
            // Many addresses at once must not fill the shop's mailbox or the disk either.
            || self
                .state
                .limiters
                .offline_messages_per_site
                .check_key(&self.site.id)
                .is_err()
        {
            return Err(with_id(ws::error(
                ErrorCode::RateLimited,
                "too many messages; wait a moment",
            )));
        }
        if form.website.is_some_and(|trap| !trap.trim().is_empty()) {
            // A bot filled the hidden field: it hears what a person would and
            // nothing is kept or sent.
            tracing::info!(site = %self.site.slug, "offline form with its trap field filled; dropped");
            return Ok(ServerFrame::OfflineAck {
                client_msg_id,
                conversation_id: ConversationId::new(),
            });
        }
        let page = self
            .state
            .tracker
            .live(self.visitor.id)
            .and_then(|live| live.page.map(|page| page.url));
        // A department with its own mailbox gets its offline messages there.
        let mut to_site = self.site.clone();
        if let Some(address) = department
            .and_then(|d| self.state.team.department(d))
            .and_then(|d| d.draft.notify_address)
        {
            to_site.mail.notify_address = Some(address);
        }
        let mail = compose::offline(
            &to_site,
            compose::shop_lang(&self.site, self.lang.as_deref()),
            &compose::Offline {
                name: &name,
                email: &email,
                phone: claims.phone.as_deref(),
                page: page.as_deref(),
                message: text.as_str(),
            },
            format!("offline:{}:{}", self.visitor.id, id.as_str()),
        );
        let queued = mail.is_some();
        let posted = self
            .state
            .store
            .post_offline_message(OfflineMessage {
                site: self.site.id,
                visitor: self.visitor.id,
                contact: self.contact,
                department,
                client_msg_id: id,
                text,
                claims: claims.clone(),
                mail,
            })
            .await
            .map_err(|error| with_id(ws::store_error(&error)))?;
        if !posted.duplicate {
            self.state
                .hub
                .publish_event(&posted.conversation, &posted.event);
            if queued {
                self.state.mailer.wake();
            }
            self.visitor.name = claims.name;
            self.visitor.email = claims.email;
            self.visitor.phone = claims.phone.or(self.visitor.phone.take());
            if self.tracked && self.contact.is_none() {
                self.state.tracker.identity(
                    self.visitor.id,
                    Identity {
                        name: self.visitor.name.clone(),
                        email: self.visitor.email.clone(),
                        phone: self.visitor.phone.clone(),
                        ..Identity::default()
                    },
                );
            }
        }
        Ok(ServerFrame::OfflineAck {
            client_msg_id,
            conversation_id: posted.conversation.id,
        })
    }

    async fn email_transcript(
        &mut self,
        id: ConversationId,
        email: &str,
    ) -> Result<ServerFrame, ErrorFrame> {
        let to = EmailAddress::parse(email)
            .map_err(|_| ws::error(ErrorCode::InvalidInput, "the email address is not valid"))?;
        let summary = self.own(id).await?;
        if self.transcripts.check().is_err()
            || self.state.limiters.transcripts.check_key(&self.ip).is_err()
        {
            return Err(ws::error(
                ErrorCode::RateLimited,
                "too many transcripts; wait a moment",
            ));
        }
        crate::transcripts::queue(
            &self.state,
            &self.site,
            &summary,
            to,
            compose::visitor_lang(&self.site, self.lang.as_deref()),
            None,
        )
        .await
        .map_err(|error| ws::store_error(&error))?;
        Ok(ServerFrame::TranscriptQueued {
            conversation_id: id,
        })
    }

    async fn page(
        &mut self,
        url: &str,
        title: &str,
        referrer: Option<&str>,
    ) -> Result<(), ErrorFrame> {
        if self.pages.check().is_err() {
            return Err(ws::error(
                ErrorCode::RateLimited,
                "too many page reports; slow down",
            ));
        }
        let page = input::page(url, title, referrer, &self.site.tracking.stripped_params)
            .map_err(invalid)?;
        if self.tracked {
            let now = shopkeep_store::sqlite::now();
            self.state.tracker.page(self.visitor.id, page, now).await;
        }
        Ok(())
    }

    async fn identify(
        &mut self,
        id: Option<String>,
        name: Option<String>,
        email: Option<String>,
        phone: Option<String>,
        hash: Option<String>,
    ) -> Result<ServerFrame, ErrorFrame> {
        let claims =
            input::claims(name.as_deref(), email.as_deref(), phone.as_deref()).map_err(invalid)?;
        let external_id = id
            .as_deref()
            .map(input::external_id)
            .transpose()
            .map_err(invalid)?;
        // Only the shop's signature vouches for an id; an email or name never does.
        let verified_id = match (external_id, hash) {
            (Some(id), Some(hash)) if identity::verify(&self.site.hmac_secret, &id, &hash) => {
                Some(id)
            }
            _ => None,
        };
        let verified = verified_id.is_some();
        let identified = self
            .state
            .store
            .identify_visitor(self.visitor.id, claims, verified_id)
            .await
            .map_err(|e| ws::store_error(&e))?;
        self.visitor = identified.visitor.clone();
        let contact = identified.contact.as_ref();
        self.contact = contact.map(|c| c.id);
        self._contact_link = contact.map(|c| self.state.hub.link_contact(c.id, self.visitor.id));
        if self.tracked {
            self.state.tracker.identity(
                self.visitor.id,
                Identity {
                    name: contact
                        .and_then(|c| c.name.clone())
                        .or(self.visitor.name.clone()),
                    email: contact
                        .and_then(|c| c.email.clone())
                        .or(self.visitor.email.clone()),
                    phone: contact
                        .and_then(|c| c.phone.clone())
                        .or(self.visitor.phone.clone()),
                    external_id: contact.map(|c| c.external_id.clone()),
                    verified,
                    contact_id: self.contact,
                },
            );
        }
        let greeting = match contact {
            Some(contact) if identified.returning => contact.name.as_deref().map(|name| {
                let lang = self
                    .lang
                    .as_deref()
                    .or(self.site.lang.as_deref())
                    .unwrap_or("en");
                site::greeting(&self.site.greetings, lang, name)
            }),
            _ => None,
        };
        let conversation = match self.contact {
            Some(contact) => self
                .state
                .store
                .latest_contact_conversation(contact)
                .await
                .map_err(|e| ws::store_error(&e))?,
            None => None,
        };
        if let Some(conversation) = &conversation {
            self.current = Some(conversation.id);
        }
        Ok(ServerFrame::Identified {
            verified,
            greeting,
            conversation: conversation.as_ref().map(view),
        })
    }

    fn language(&mut self, tag: &str) -> Result<(), ErrorFrame> {
        let lang = input::lang(tag).map_err(invalid)?;
        if self.tracked {
            self.state.tracker.language(self.visitor.id, lang.clone());
        }
        self.lang = Some(lang);
        Ok(())
    }

    async fn set(&mut self, update: &serde_json::Value) -> Result<(), ErrorFrame> {
        let attributes = self
            .visitor
            .attributes
            .merged(update)
            .map_err(|e| ws::error(ErrorCode::InvalidInput, e.to_string()))?;
        // Checked like a page report, then ignored like one: attributes describe
        // the visitor, and this visitor is not to be tracked.
        if !self.tracked {
            return Ok(());
        }
        self.state
            .store
            .set_visitor_attributes(self.visitor.id, attributes.clone())
            .await
            .map_err(|e| ws::store_error(&e))?;
        self.state
            .tracker
            .attributes(self.visitor.id, attributes.clone());
        self.visitor.attributes = attributes;
        Ok(())
    }

    async fn answer(
        &mut self,
        id: InvitationId,
        accept: bool,
    ) -> Result<Option<ServerFrame>, ErrorFrame> {
        let answered = self
            .state
            .tracker
            .answer(self.visitor.id, id, accept)
            .ok_or_else(|| ws::error(ErrorCode::NotFound, "no such invitation"))?;
        let invitation = answered.invitation;
        if let Some(agent) = &invitation.agent {
            let frame = to_frame(&agent::ServerFrame::Invitation {
                visitor_id: self.visitor.id,
                invitation: invitation.clone(),
            });
            self.state.hub.to_one_staff(agent.id, frame);
        }
        let Some(agent) = invitation.agent.filter(|_| accept) else {
            return Ok(None);
        };
        let text = MessageText::parse(&invitation.text)
            .map_err(|e| ws::error(e.clone().into(), e.to_string()))?;
        // A rule's chat goes to the rule's department, if it still exists.
        let department = match invitation.rule_id {
            Some(rule) => match self.state.store.rule(rule).await {
                Ok(Some(rule)) => rule
                    .draft
                    .department
                    .filter(|d| self.state.team.department(*d).is_some()),
                Ok(None) => None,
                Err(error) => return Err(ws::store_error(&error)),
            },
            None => None,
        };
        let opened = self
            .state
            .store
            .open_invited_conversation(
                self.site.id,
                self.visitor.id,
                self.contact,
                agent,
                text,
                department,
            )
            .await;
        let conversation = match opened {
            Ok(opened) => {
                if let Some(event) = &opened.event {
                    self.state.hub.publish_event(&opened.conversation, event);
                }
                // The inviting operator holds one more chat.
                self.state.dispatch.kick();
                opened.conversation
            }
            // Already chatting (from another tab, or as the verified customer
            // on another device): show that conversation.
            Err(StoreError::Conflict(_)) => {
                let latest = match self.contact {
                    Some(contact) => self.state.store.latest_contact_conversation(contact).await,
                    None => self.state.store.latest_conversation(self.visitor.id).await,
                };
                latest
                    .map_err(|e| ws::store_error(&e))?
                    .ok_or_else(|| ws::error(ErrorCode::NotFound, "no such conversation"))?
            }
            Err(error) => return Err(ws::store_error(&error)),
        };
        self.current = Some(conversation.id);
        Ok(Some(ServerFrame::Conversation {
            conversation: view(&conversation),
        }))
    }

    /// The conversation, if it is this visitor's (or, once verified, their
    /// contact's); anyone else's is "not found".
    async fn own(&self, id: ConversationId) -> Result<ConversationSummary, ErrorFrame> {
        match self.state.store.conversation(id).await {
            Ok(Some(summary))
                if summary.visitor_id == self.visitor.id
                    || (self.contact.is_some() && summary.contact_id == self.contact) =>
            {
                Ok(summary)
            }
            Ok(_) => Err(ws::error(ErrorCode::NotFound, "no such conversation")),
            Err(error) => Err(ws::store_error(&error)),
        }
    }

    async fn sync(&self, id: ConversationId, after: Seq) -> Result<ServerFrame, ErrorFrame> {
        let summary = self.own(id).await?;
        let history = ws::visitor_history(self.state.store.as_ref(), &summary, after).await?;
        Ok(ServerFrame::History(history))
    }

    async fn receipt(
        &self,
        id: ConversationId,
        seq: Seq,
        mark: ReceiptMark,
    ) -> Result<(), ErrorFrame> {
        let summary = self.own(id).await?;
        ws::mark_receipt(&self.state, &summary, Side::Visitor, mark, seq).await
    }

    /// A department the visitor picked: one of the site's public ones.
    fn chosen_department(&self, id: DepartmentId) -> Result<DepartmentId, ErrorFrame> {
        self.state
            .team
            .department(id)
            .filter(|d| d.site_id == self.site.id && d.draft.public)
            .map(|d| d.id)
            .ok_or_else(|| ws::error(ErrorCode::InvalidInput, "no such department"))
    }

    /// The department the visitor's current page routes to, if any.
    fn page_department(&self) -> Option<DepartmentId> {
        let url = self.state.tracker.live(self.visitor.id)?.page?.url;
        let departments = self.state.team.site_departments(self.site.id);
        department_for_page(&departments, &url).map(|d| d.id)
    }

    async fn typing(&mut self, active: bool, draft: Option<String>) -> Result<(), ErrorFrame> {
        let Some(conversation) = self.current else {
            return Ok(());
        };
        let summary = self.own(conversation).await?;
        if summary.status == ConversationStatus::Closed {
            return Ok(());
        }
        self.state.hub.visitor_typing(&summary, active);
        let Some(draft) = draft.filter(|_| self.site.chat.sneak_peek) else {
            return Ok(());
        };
        let now = tokio::time::Instant::now();
        // An empty draft (the field was cleared) always goes, so no stale text lingers.
        if !draft.is_empty() && self.last_draft.is_some_and(|at| now - at < DRAFT_EVERY) {
            return Ok(());
        }
        self.last_draft = Some(now);
        let text: String = draft.chars().take(MAX_DRAFT_CHARS).collect();
        let frame = to_frame(&agent::ServerFrame::Draft {
            conversation_id: summary.id,
            text,
        });
        self.state.hub.to_conversation_staff(&summary, frame);
        Ok(())
    }
}
