//! Builds the outbox mails that conversations cause: the offline message to
//! the shop, an operator's answer and transcripts to the visitor, and the
//! missed-chat notice. Each is rendered before the write job that queues it,
//! so the job itself only inserts rows.

use shopkeep_core::email::{EmailAddress, HeaderText, MailKind};
use shopkeep_core::event::{Author, Event, EventBody};
use shopkeep_core::hours::Schedule;
use shopkeep_core::ids::ConversationId;
use shopkeep_core::protocol::shared::ConversationSummary;
use shopkeep_store::{NewMail, Site, Visitor};

use crate::mail::templates::{self, Brand, Lang, Rendered, TranscriptLine};

/// The site's name and colour, with times in its opening-hours zone.
pub fn brand(site: &Site) -> Brand {
    let zone = site
        .hours
        .as_ref()
        .and_then(|hours| Schedule::parse(hours).ok())
        .and_then(|schedule| schedule.time_zone().map(str::to_owned));
    Brand::new(&site.name, &site.color, zone.as_deref())
}

/// Language of mail to the shop: the site's, else the visitor's.
pub fn shop_lang(site: &Site, visitor_lang: Option<&str>) -> Lang {
    Lang::from_tag(site.lang.as_deref().or(visitor_lang))
}

/// Language of mail to the visitor: theirs, else the site's.
pub fn visitor_lang(site: &Site, visitor_lang: Option<&str>) -> Lang {
    Lang::from_tag(visitor_lang.or(site.lang.as_deref()))
}

/// The shop's mailbox for offline messages and missed chats, if it has a valid one.
pub fn notify_address(site: &Site) -> Option<EmailAddress> {
    let raw = site.mail.notify_address.as_deref()?;
    match EmailAddress::parse(raw) {
        Ok(address) => Some(address),
        Err(error) => {
            tracing::warn!(site = %site.slug, %error, "the site's notify address is not usable");
            None
        }
    }
}

/// The visitor's stored email, if it is one mail can go to.
pub fn visitor_address(visitor: &Visitor) -> Option<EmailAddress> {
    visitor
        .email
        .as_deref()
        .and_then(|raw| EmailAddress::parse(raw).ok())
}

fn new_mail(
    site: &Site,
    kind: MailKind,
    to: EmailAddress,
    reply_to: Option<EmailAddress>,
    rendered: Rendered,
    dedupe_key: Option<String>,
) -> NewMail {
    NewMail {
        site_id: Some(site.id),
        kind,
        to,
        reply_to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        dedupe_key,
    }
}

/// The offline form's message, to the shop, answerable straight to the visitor.
/// `None` when the site has no notify address.
pub struct Offline<'a> {
    pub name: &'a HeaderText,
    pub email: &'a EmailAddress,
    pub phone: Option<&'a str>,
    pub page: Option<&'a str>,
    pub message: &'a str,
}

pub fn offline(site: &Site, lang: Lang, form: &Offline<'_>, key: String) -> Option<NewMail> {
    let to = notify_address(site)?;
    let rendered = templates::offline_message(
        &brand(site),
        lang,
        &templates::OfflineMessage {
            name: Some(form.name),
            email: form.email,
            phone: form.phone,
            department: None,
            page: form.page,
            message: form.message,
        },
    );
    Some(new_mail(
        site,
        MailKind::Offline,
        to,
        Some(form.email.clone()),
        rendered,
        Some(key),
    ))
}

/// An operator's answer in an offline conversation, to the visitor; replies
/// go to the shop's mailbox (they do not thread back into the conversation).
pub fn reply(
    site: &Site,
    lang: Lang,
    to: EmailAddress,
    operator: &str,
    text: &str,
    original: Option<&str>,
    key: String,
) -> NewMail {
    let rendered = templates::reply(
        &brand(site),
        lang,
        &templates::Reply {
            operator,
            text,
            original,
        },
    );
    new_mail(
        site,
        MailKind::Reply,
        to,
        notify_address(site),
        rendered,
        Some(key),
    )
}

/// The messages of a conversation as mail shows them. The visitor is `visitor`
/// ("You" in their own transcript); operators go by the name they had.
pub fn lines(events: &[Event], visitor: &str) -> Vec<TranscriptLine> {
    events
        .iter()
        .filter_map(|event| {
            let EventBody::Message { text } = &event.body else {
                return None;
            };
            let author = match &event.author {
                Author::Visitor => visitor.to_owned(),
                Author::Agent { name, .. } => name.clone(),
                Author::System => return None,
            };
            Some(TranscriptLine {
                at: event.at,
                author,
                text: text.clone(),
            })
        })
        .collect()
}

/// The first message of the conversation, quoted under an answer to it.
pub fn first_visitor_message(events: &[Event]) -> Option<&str> {
    events
        .iter()
        .find_map(|event| match (&event.author, &event.body) {
            (Author::Visitor, EventBody::Message { text }) => Some(text.as_str()),
            _ => None,
        })
}

pub fn transcript(
    site: &Site,
    lang: Lang,
    to: EmailAddress,
    conversation: &ConversationSummary,
    events: &[Event],
    dedupe_key: Option<String>,
) -> NewMail {
    let rendered = templates::transcript(
        &brand(site),
        lang,
        conversation.created_at,
        &lines(events, lang.you()),
    );
    new_mail(
        site,
        MailKind::Transcript,
        to,
        notify_address(site),
        rendered,
        dedupe_key,
    )
}

/// The missed-chat notice to the shop, once per conversation; `None` without
/// a notify address.
pub fn missed(
    site: &Site,
    lang: Lang,
    visitor: &Visitor,
    conversation: &ConversationSummary,
    page: Option<&str>,
    events: &[Event],
) -> Option<NewMail> {
    let to = notify_address(site)?;
    let name = visitor
        .name
        .as_deref()
        .and_then(|name| HeaderText::truncating(name).ok());
    let email = visitor_address(visitor);
    let label = name.as_ref().map_or(lang.a_visitor(), HeaderText::as_str);
    let rendered = templates::missed_chat(
        &brand(site),
        lang,
        &templates::MissedChat {
            name: name.as_ref(),
            email: email.as_ref(),
            page,
            started_at: conversation.created_at,
            lines: &lines(events, label),
        },
    );
    Some(new_mail(
        site,
        MailKind::Missed,
        to,
        email,
        rendered,
        Some(missed_key(conversation.id)),
    ))
}

pub fn missed_key(conversation: ConversationId) -> String {
    format!("missed:{conversation}")
}
