//! Frames of the visitor WebSocket, `/v1/visitor?site=<public key>`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::department::DepartmentChoice;
use crate::event::Event;
use crate::ids::{ConversationId, DepartmentId, InvitationId, Seq, VisitorId};
use crate::protocol::shared::{
    Ack, AgentRef, ConversationView, ErrorFrame, History, Receipts, Side,
};

/// What the widget sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
#[ts(export, rename = "VisitorClientFrame")]
pub enum ClientFrame {
    /// First frame. Without a token (or with one the server does not know) the
    /// server creates a visitor and returns a fresh token in `welcome`.
    Hello {
        #[ts(optional)]
        #[serde(default)]
        token: Option<String>,
        /// BCP 47 language of the page or browser, e.g. `ru`.
        #[ts(optional)]
        #[serde(default)]
        lang: Option<String>,
        /// The browser asks not to be tracked (Do-Not-Track or Global Privacy Control).
        #[ts(as = "Option<bool>", optional)]
        #[serde(default)]
        dnt: bool,
    },
    /// The page the visitor is on: sent after every `welcome` and on each
    /// navigation of a single-page shop. `referrer` is the document's referrer.
    Page {
        url: String,
        title: String,
        #[ts(optional)]
        #[serde(default)]
        referrer: Option<String>,
    },
    /// The tab became visible (`true`) or hidden (`false`).
    Activity { active: bool },
    /// `Shopkeep('identify', …)`: who the visitor is, per the shop. `hash` is
    /// `hex(HMAC-SHA256(site secret, id))` from the shop's backend; without a
    /// valid one the details are shown as unverified claims.
    Identify {
        #[ts(optional)]
        #[serde(default)]
        id: Option<String>,
        #[ts(optional)]
        #[serde(default)]
        name: Option<String>,
        #[ts(optional)]
        #[serde(default)]
        email: Option<String>,
        #[ts(optional)]
        #[serde(default)]
        phone: Option<String>,
        #[ts(optional)]
        #[serde(default)]
        hash: Option<String>,
    },
    /// `Shopkeep('set', {...})`: custom attributes to merge; `null` removes one.
    Set {
        #[ts(type = "Record<string, unknown>")]
        attributes: serde_json::Value,
    },
    /// `Shopkeep('setLanguage', code)`.
    Language { lang: String },
    /// The visitor accepted or dismissed an invitation.
    AnswerInvitation {
        invitation_id: InvitationId,
        accept: bool,
    },
    /// The offline form: a message for the shop's mailbox when nobody can chat.
    /// Answered with `offline_ack` once it is stored and its mail queued.
    OfflineMessage {
        client_msg_id: String,
        name: String,
        email: String,
        #[ts(optional)]
        #[serde(default)]
        phone: Option<String>,
        message: String,
        /// The visitor ticked the site's consent text (required when it has one).
        #[ts(as = "Option<bool>", optional)]
        #[serde(default)]
        consent: bool,
        /// A field hidden from people; anything in it marks the form as a bot's.
        #[ts(optional)]
        #[serde(default)]
        website: Option<String>,
        /// The department the message is for, when the site lets visitors choose.
        #[ts(optional)]
        #[serde(default)]
        department_id: Option<DepartmentId>,
    },
    /// Email the transcript of one of the visitor's conversations to `email`.
    /// Answered with `transcript_queued`.
    EmailTranscript {
        conversation_id: ConversationId,
        email: String,
    },
    /// Post a message; starts a conversation if the visitor has none open.
    /// `department_id` (the visitor's choice) applies only to a new conversation.
    Send {
        client_msg_id: String,
        text: String,
        #[ts(optional)]
        #[serde(default)]
        department_id: Option<DepartmentId>,
    },
    /// Ask for events of a conversation with `seq > after_seq`.
    Sync {
        conversation_id: ConversationId,
        after_seq: Seq,
    },
    /// The visitor is (or stopped) typing. Ephemeral. `draft` is the text being
    /// typed, sent only when the site turned on sneak peek (`ChatOptions`).
    Typing {
        active: bool,
        #[ts(optional)]
        #[serde(default)]
        draft: Option<String>,
    },
    /// The widget has received events up to `seq`.
    Received {
        conversation_id: ConversationId,
        seq: Seq,
    },
    /// The visitor has seen events up to `seq` (chat open, tab visible).
    Read {
        conversation_id: ConversationId,
        seq: Seq,
    },
    /// Application heartbeat; answered with `pong`.
    Ping,
}

/// Whether the shop takes chats now. The widget shows the offline form when
/// `open` is false or no operator is online.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Availability {
    /// Within the site's opening hours (always true without hours).
    pub open: bool,
    /// When the shop opens next, if closed by its hours.
    #[ts(type = "number | null")]
    pub back_at: Option<crate::Millis>,
    /// The site's time zone, to say "back at 9:00" in the shop's time.
    pub time_zone: Option<String>,
    /// Consent text to show under the offline form, if the site has one.
    pub consent_text: Option<String>,
}

/// How the widget starts a chat on this site.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChatOptions {
    /// Departments the visitor may choose from before the first message; empty
    /// when the site does not offer a choice.
    pub departments: Vec<DepartmentChoice>,
    /// Send the draft with `typing` so operators see it as it is typed.
    pub sneak_peek: bool,
}

/// Where the visitor's waiting chat stands in its queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct QueuePlace {
    /// 1 is next.
    pub position: u32,
    /// Estimated wait; none when nobody who could answer is online.
    #[ts(type = "number | null")]
    pub wait_ms: Option<u64>,
}

/// Site settings the widget needs to draw itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WidgetLook {
    pub site_name: String,
    /// CSS hex colour, `#rrggbb`.
    pub color: String,
    /// Fixed widget language, or none to follow the page/browser.
    pub lang: Option<String>,
}

/// What the server sends to the widget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export, rename = "VisitorServerFrame")]
pub enum ServerFrame {
    /// Answer to `hello`. `token` is the token to keep (new or the same).
    Welcome {
        visitor_id: VisitorId,
        token: String,
        operators_online: bool,
        look: WidgetLook,
        /// The open (or most recent) conversation, if any; the widget syncs it.
        conversation: Option<ConversationView>,
        /// Opening hours and the offline form; absent from older servers.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        availability: Option<Availability>,
        /// Department choice and sneak peek; absent from older servers.
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        chat: Option<ChatOptions>,
    },
    /// Answer to `identify`. `greeting` is set for a verified returning customer,
    /// in the widget's language; `conversation` is the contact's latest
    /// conversation (possibly from another device), which the widget syncs.
    Identified {
        verified: bool,
        greeting: Option<String>,
        conversation: Option<ConversationView>,
    },
    /// An operator (or a rule on their behalf) invites the visitor to chat.
    Invitation {
        invitation_id: InvitationId,
        agent: Option<AgentRef>,
        /// Path of the operator's photo on this server (`/v1/staff/<id>/photo`), if any.
        photo: Option<String>,
        text: String,
    },
    /// The visitor's current conversation is now this one (an accepted invitation
    /// opened it): show it and sync its events.
    Conversation {
        conversation: ConversationView,
    },
    /// The offline message is stored and its mail queued.
    OfflineAck {
        client_msg_id: String,
        conversation_id: ConversationId,
    },
    /// The transcript mail is queued.
    TranscriptQueued {
        conversation_id: ConversationId,
    },
    /// Whether the shop is within its opening hours changed.
    Availability {
        availability: Availability,
    },
    /// A committed event of the visitor's conversation.
    Event {
        event: Event,
    },
    /// The visitor's `send` is stored.
    Ack(Ack),
    /// Answer to `sync`.
    History(History),
    /// Whether any operator is online changed. `departments` carries the
    /// choice again when the site offers one, with who is online now.
    Status {
        operators_online: bool,
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        departments: Option<Vec<DepartmentChoice>>,
    },
    /// The visitor's chat is waiting in a queue (`place`), or no longer (`null`:
    /// an operator took it or it closed). Sent on every routing pass (every few
    /// seconds) while the chat waits, and at once when its place changes.
    Queue {
        conversation_id: ConversationId,
        place: Option<QueuePlace>,
    },
    /// Someone is typing. Ephemeral.
    Typing {
        conversation_id: ConversationId,
        side: Side,
        #[ts(optional)]
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        active: bool,
    },
    /// Receipt marks moved.
    Receipts {
        conversation_id: ConversationId,
        receipts: Receipts,
    },
    /// A frame was refused.
    Error(ErrorFrame),
    /// The server is going away; reconnect after the delay.
    Reconnect {
        #[ts(type = "number")]
        after_ms: u64,
    },
    Pong,
}
