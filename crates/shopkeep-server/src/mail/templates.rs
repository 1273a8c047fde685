//! The text and HTML of every mail, in English, Russian, Ukrainian and
//! Japanese, branded with the site's name and colour.
//!
//! Values are put in once, in a single pass over the catalog text, so what a
//! visitor typed (`{site}`, `{{…}}`, `${…}`) is never read as a placeholder.
//! In the HTML part every value is escaped; in the text part it is literal.
//! Subjects are [`HeaderText`]: one line, no control characters.

use shopkeep_core::Millis;
use shopkeep_core::email::{EmailAddress, HeaderText, is_forbidden};

/// The colour used when a site's is not `#rrggbb`.
const DEFAULT_COLOR: &str = "#2f6f5e";

/// A mail ready for the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: HeaderText,
    pub text: String,
    pub html: String,
}

/// Who the mail is from, as the reader sees it in the body.
#[derive(Clone, Debug)]
pub struct Brand {
    site_name: String,
    color: String,
    /// IANA zone for times in the mail; UTC when unset or unknown.
    time_zone: Option<String>,
}

impl Brand {
    pub fn new(site_name: &str, color: &str, time_zone: Option<&str>) -> Self {
        let name: String = site_name
            .chars()
            .map(|c| if is_forbidden(c) { ' ' } else { c })
            .collect();
        let name = name.trim();
        let color_ok = color.len() == 7
            && color.starts_with('#')
            && color[1..].bytes().all(|b| b.is_ascii_hexdigit());
        Self {
            site_name: if name.is_empty() {
                "Shopkeep".to_owned()
            } else {
                name.to_owned()
            },
            color: if color_ok { color } else { DEFAULT_COLOR }.to_owned(),
            time_zone: time_zone.map(str::to_owned),
        }
    }

    fn when(&self, at: Millis) -> String {
        let Ok(instant) = jiff::Timestamp::from_millisecond(at) else {
            return String::new();
        };
        let zone = self
            .time_zone
            .as_deref()
            .and_then(|name| jiff::tz::TimeZone::get(name).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        instant
            .to_zoned_datetime(zone)
            .strftime("%Y-%m-%d %H:%M %Z")
            .to_string()
    }
}

/// A language mails are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    En,
    Ru,
    Uk,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Ru, Lang::Uk, Lang::Ja];

    /// From a tag such as `ru-RU`; English for anything else.
    pub fn from_tag(tag: Option<&str>) -> Self {
        match tag.and_then(crate::i18n::supported_lang) {
            Some("ru") => Self::Ru,
            Some("uk") => Self::Uk,
            Some("ja") => Self::Ja,
            _ => Self::En,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ru => "ru",
            Self::Uk => "uk",
            Self::Ja => "ja",
        }
    }

    /// How a transcript mailed to the visitor names them.
    pub fn you(self) -> &'static str {
        self.words().you
    }

    /// How mail to the shop names a visitor who gave no name.
    pub fn a_visitor(self) -> &'static str {
        self.words().a_visitor
    }

    fn words(self) -> &'static Words {
        match self {
            Self::En => &EN,
            Self::Ru => &RU,
            Self::Uk => &UK,
            Self::Ja => &JA,
        }
    }
}

/// One language's catalog. `{name}` marks where a value goes.
struct Words {
    a_visitor: &'static str,
    /// The visitor, in a transcript mailed to them.
    you: &'static str,
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    department: &'static str,
    page: &'static str,
    message: &'static str,
    offline_subject: &'static str,
    offline_intro: &'static str,
    offline_hint: &'static str,
    reply_subject: &'static str,
    reply_intro: &'static str,
    reply_original: &'static str,
    transcript_subject: &'static str,
    transcript_intro: &'static str,
    missed_subject: &'static str,
    missed_intro: &'static str,
    missed_nothing: &'static str,
    test_subject: &'static str,
    test_body: &'static str,
    footer: &'static str,
}

const EN: Words = Words {
    a_visitor: "a visitor",
    you: "You",
    name: "Name",
    email: "Email",
    phone: "Phone",
    department: "Department",
    page: "Page",
    message: "Message",
    offline_subject: "Offline message from {who} — {site}",
    offline_intro: "{who} left a message on {site} while nobody was online.",
    offline_hint: "Answer from the Shopkeep console, or reply to this email to write to the visitor directly.",
    reply_subject: "Reply from {site}",
    reply_intro: "{operator} from {site} answered your message:",
    reply_original: "Your message",
    transcript_subject: "Your conversation with {site}",
    transcript_intro: "Here is your conversation with {site}, started {when}.",
    missed_subject: "Missed chat from {who} — {site}",
    missed_intro: "{who} started a chat on {site} at {when} and left before anyone answered.",
    missed_nothing: "(no messages)",
    test_subject: "Shopkeep test email",
    test_body: "This test email from Shopkeep arrived: mail through {host} works.",
    footer: "Sent by Shopkeep for {site}.",
};

const RU: Words = Words {
    a_visitor: "посетитель",
    you: "Вы",
    name: "Имя",
    email: "Эл. почта",
    phone: "Телефон",
    department: "Отдел",
    page: "Страница",
    message: "Сообщение",
    offline_subject: "Сообщение, оставленное офлайн: {who} — {site}",
    offline_intro: "{who} оставил(а) сообщение на {site}, когда никого не было в сети.",
    offline_hint: "Ответьте в консоли Shopkeep или ответьте на это письмо, чтобы написать посетителю напрямую.",
    reply_subject: "Ответ от {site}",
    reply_intro: "{operator} из {site} ответил(а) на ваше сообщение:",
    reply_original: "Ваше сообщение",
    transcript_subject: "Ваш разговор с {site}",
    transcript_intro: "Ваш разговор с {site}, начатый {when}.",
    missed_subject: "Пропущенный чат: {who} — {site}",
    missed_intro: "{who} начал(а) чат на {site} в {when} и ушёл(ушла), не дождавшись ответа.",
    missed_nothing: "(нет сообщений)",
    test_subject: "Тестовое письмо Shopkeep",
    test_body: "Тестовое письмо Shopkeep дошло: отправка почты через {host} работает.",
    footer: "Отправлено Shopkeep для {site}.",
};

const UK: Words = Words {
    a_visitor: "відвідувач",
    you: "Ви",
    name: "Ім’я",
    email: "Ел. пошта",
    phone: "Телефон",
    department: "Відділ",
    page: "Сторінка",
    message: "Повідомлення",
    offline_subject: "Повідомлення, залишене офлайн: {who} — {site}",
    offline_intro: "{who} залишив(ла) повідомлення на {site}, коли нікого не було в мережі.",
    offline_hint: "Відповідайте в консолі Shopkeep або відповідайте на цей лист, щоб написати відвідувачу напряму.",
    reply_subject: "Відповідь від {site}",
    reply_intro: "{operator} з {site} відповів(ла) на ваше повідомлення:",
    reply_original: "Ваше повідомлення",
    transcript_subject: "Ваша розмова з {site}",
    transcript_intro: "Ваша розмова з {site}, розпочата {when}.",
    missed_subject: "Пропущений чат: {who} — {site}",
    missed_intro: "{who} розпочав(ла) чат на {site} о {when} і пішов(ла), не дочекавшись відповіді.",
    missed_nothing: "(немає повідомлень)",
    test_subject: "Тестовий лист Shopkeep",
    test_body: "Тестовий лист Shopkeep дійшов: надсилання пошти через {host} працює.",
    footer: "Надіслано Shopkeep для {site}.",
};

const JA: Words = Words {
    a_visitor: "訪問者",
    you: "あなた",
    name: "お名前",
    email: "メール",
    phone: "電話番号",
    department: "部署",
    page: "ページ",
    message: "メッセージ",
    offline_subject: "オフラインメッセージ：{who} — {site}",
    offline_intro: "{who}さんが、オンラインの担当者がいない間に{site}にメッセージを残しました。",
    offline_hint: "Shopkeepのコンソールから回答するか、このメールに返信して訪問者に直接連絡してください。",
    reply_subject: "{site}からの返信",
    reply_intro: "{site}の{operator}があなたのメッセージに回答しました：",
    reply_original: "あなたのメッセージ",
    transcript_subject: "{site}との会話",
    transcript_intro: "{when}に始まった{site}との会話の記録です。",
    missed_subject: "応答できなかったチャット：{who} — {site}",
    missed_intro: "{who}さんが{when}に{site}でチャットを開始し、応答前に退出しました。",
    missed_nothing: "（メッセージなし）",
    test_subject: "Shopkeepのテストメール",
    test_body: "Shopkeepからのテストメールが届きました。{host}経由のメール送信は正常です。",
    footer: "このメールはShopkeepが{site}のために送信しました。",
};

/// Puts `values` into `template` in one pass: text that a value brings in is
/// never scanned for placeholders. An unknown `{key}` stays as it is.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let value = after.find('}').and_then(|end| {
            let key = &after[..end];
            values
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, value)| (*value, end))
        });
        match value {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `&`, `<`, `>`, `"` and `'` as entities: safe in element text and quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escaped, with line breaks kept.
fn html_lines(text: &str) -> String {
    escape_html(text)
        .replace("\r\n", "\n")
        .replace('\n', "<br>\n")
}

fn subject(text: &str) -> HeaderText {
    // Values in subjects are site names cleaned by `Brand::new` and parsed names
    // and addresses, and every catalog subject is a non-empty line.
    HeaderText::truncating(text).expect("a subject built from clean parts")
}

/// Builds the text and HTML parts around a body, with the brand's header and footer.
struct Page {
    lang: Lang,
    brand: Brand,
    text: String,
    html: String,
    /// "Sent by Shopkeep for {site}"; off for Shopkeep's own mail.
    footer: bool,
}

impl Page {
    fn new(lang: Lang, brand: &Brand) -> Self {
        let site = escape_html(&brand.site_name);
        let html = format!(
            "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width\"><title>{site}</title></head>\n\
             <body style=\"margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2328\">\n\
             <div style=\"max-width:600px;margin:0 auto;background:#ffffff\">\n\
             <div style=\"background:{color};color:#ffffff;padding:16px 24px;font-size:18px;font-weight:bold\">{site}</div>\n\
             <div style=\"padding:24px;font-size:15px;line-height:1.5\">\n",
            lang = lang.code(),
            color = brand.color,
        );
        Self {
            lang,
            brand: brand.clone(),
            text: String::new(),
            html,
            footer: true,
        }
    }

    fn words(&self) -> &'static Words {
        self.lang.words()
    }

    /// A paragraph from the catalog with values filled in.
    fn paragraph(&mut self, template: &str, values: &[(&str, &str)]) {
        self.text.push_str(&fill(template, values));
        self.text.push_str("\n\n");
        let escaped: Vec<(&str, String)> = values
            .iter()
            .map(|(key, value)| (*key, escape_html(value)))
            .collect();
        let escaped: Vec<(&str, &str)> = escaped
            .iter()
            .map(|(key, value)| (*key, value.as_str()))
            .collect();
        self.html.push_str("<p>");
        self.html.push_str(&fill(&escape_html(template), &escaped));
        self.html.push_str("</p>\n");
    }

    /// Label: value rows.
    fn fields(&mut self, rows: &[(&str, &str)]) {
        self.html
            .push_str("<table style=\"border-collapse:collapse;margin:0 0 16px\">\n");
        for (label, value) in rows {
            self.text.push_str(&format!("{label}: {value}\n"));
            self.html.push_str(&format!(
                "<tr><td style=\"padding:2px 12px 2px 0;color:#59636e;vertical-align:top\">{}</td>\
                 <td style=\"padding:2px 0\">{}</td></tr>\n",
                escape_html(label),
                escape_html(value)
            ));
        }
        self.html.push_str("</table>\n");
        self.text.push('\n');
    }

    /// A block of someone's words, set off from the rest.
    fn quote(&mut self, label: &str, body: &str) {
        self.text.push_str(&format!("{label}:\n"));
        for line in body.lines() {
            self.text.push_str(&format!("> {line}\n"));
        }
        self.text.push('\n');
        self.html.push_str(&format!(
            "<p style=\"margin:0 0 4px;color:#59636e\">{}</p>\n\
             <blockquote style=\"margin:0 0 16px;padding:8px 12px;border-left:4px solid {};background:#f6f8fa;white-space:normal\">{}</blockquote>\n",
            escape_html(label),
            self.brand.color,
            html_lines(body)
        ));
    }

    /// Transcript lines: time, author, text.
    fn lines(&mut self, lines: &[TranscriptLine]) {
        if lines.is_empty() {
            let nothing = self.words().missed_nothing;
            self.text.push_str(nothing);
            self.text.push_str("\n\n");
            self.html
                .push_str(&format!("<p>{}</p>\n", escape_html(nothing)));
            return;
        }
        self.html.push_str("<div style=\"margin:0 0 16px\">\n");
        for line in lines {
            let when = self.brand.when(line.at);
            self.text.push_str(&format!("[{when}] {}:\n", line.author));
            for text_line in line.text.lines() {
                self.text.push_str(&format!("    {text_line}\n"));
            }
            self.html.push_str(&format!(
                "<div style=\"margin:0 0 12px\"><div style=\"font-size:13px;color:#59636e\">\
                 <strong style=\"color:#1f2328\">{}</strong> · {}</div><div>{}</div></div>\n",
                escape_html(&line.author),
                escape_html(&when),
                html_lines(&line.text)
            ));
        }
        self.html.push_str("</div>\n");
        self.text.push('\n');
    }

    fn finish(mut self, subject_line: HeaderText) -> Rendered {
        self.html.push_str("</div>\n");
        if self.footer {
            let footer = fill(self.words().footer, &[("site", &self.brand.site_name)]);
            self.text.push_str("-- \n");
            self.text.push_str(&footer);
            self.text.push('\n');
            self.html.push_str(&format!(
                "<div style=\"padding:12px 24px;font-size:12px;color:#59636e;border-top:1px solid #d1d9e0\">{}</div>\n",
                escape_html(&footer)
            ));
        }
        self.html.push_str("</div>\n</body></html>\n");
        Rendered {
            subject: subject_line,
            text: self.text.trim_end().to_owned() + "\n",
            html: self.html,
        }
    }
}

/// One line of a conversation as mail shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptLine {
    pub at: Millis,
    pub author: String,
    pub text: String,
}

/// A visitor's offline message, to the shop.
#[derive(Clone, Debug)]
pub struct OfflineMessage<'a> {
    pub name: Option<&'a HeaderText>,
    pub email: &'a EmailAddress,
    pub phone: Option<&'a str>,
    pub department: Option<&'a str>,
    pub page: Option<&'a str>,
    pub message: &'a str,
}

pub fn offline_message(brand: &Brand, lang: Lang, offline: &OfflineMessage<'_>) -> Rendered {
    let mut page = Page::new(lang, brand);
    let words = page.words();
    let who = match offline.name {
        Some(name) => format!("{name} <{}>", offline.email),
        None => offline.email.to_string(),
    };
    let site = brand.site_name.as_str();
    page.paragraph(words.offline_intro, &[("who", &who), ("site", site)]);
    let mut rows = Vec::new();
    if let Some(name) = offline.name {
        rows.push((words.name, name.as_str()));
    }
    rows.push((words.email, offline.email.as_str()));
    if let Some(phone) = offline.phone {
        rows.push((words.phone, phone));
    }
    if let Some(department) = offline.department {
        rows.push((words.department, department));
    }
    if let Some(url) = offline.page {
        rows.push((words.page, url));
    }
    page.fields(&rows);
    page.quote(words.message, offline.message);
    page.paragraph(words.offline_hint, &[]);
    let who_short = offline
        .name
        .map_or(offline.email.as_str(), HeaderText::as_str);
    let subject_line = subject(&fill(
        words.offline_subject,
        &[("who", who_short), ("site", site)],
    ));
    page.finish(subject_line)
}

/// An operator's answer to an offline message, to the visitor.
#[derive(Clone, Debug)]
pub struct Reply<'a> {
    pub operator: &'a str,
    pub text: &'a str,
    /// The visitor's message it answers, quoted below.
    pub original: Option<&'a str>,
}

pub fn reply(brand: &Brand, lang: Lang, answer: &Reply<'_>) -> Rendered {
    let mut page = Page::new(lang, brand);
    let words = page.words();
    let site = brand.site_name.as_str();
    page.paragraph(
        words.reply_intro,
        &[("operator", answer.operator), ("site", site)],
    );
    page.quote(answer.operator, answer.text);
    if let Some(original) = answer.original {
        page.quote(words.reply_original, original);
    }
    let subject_line = subject(&fill(words.reply_subject, &[("site", site)]));
    page.finish(subject_line)
}

/// A conversation's transcript.
pub fn transcript(
    brand: &Brand,
    lang: Lang,
    started_at: Millis,
    lines: &[TranscriptLine],
) -> Rendered {
    let mut page = Page::new(lang, brand);
    let words = page.words();
    let site = brand.site_name.as_str();
    let when = brand.when(started_at);
    page.paragraph(words.transcript_intro, &[("site", site), ("when", &when)]);
    page.lines(lines);
    let subject_line = subject(&fill(words.transcript_subject, &[("site", site)]));
    page.finish(subject_line)
}

/// A chat nobody answered, to the shop.
#[derive(Clone, Debug)]
pub struct MissedChat<'a> {
    pub name: Option<&'a HeaderText>,
    pub email: Option<&'a EmailAddress>,
    pub page: Option<&'a str>,
    pub started_at: Millis,
    pub lines: &'a [TranscriptLine],
}

pub fn missed_chat(brand: &Brand, lang: Lang, missed: &MissedChat<'_>) -> Rendered {
    let mut page = Page::new(lang, brand);
    let words = page.words();
    let site = brand.site_name.as_str();
    let who = missed
        .name
        .map(HeaderText::as_str)
        .or(missed.email.map(EmailAddress::as_str))
        .unwrap_or(words.a_visitor);
    let when = brand.when(missed.started_at);
    page.paragraph(
        words.missed_intro,
        &[("who", who), ("site", site), ("when", &when)],
    );
    let mut rows = Vec::new();
    if let Some(name) = missed.name {
        rows.push((words.name, name.as_str()));
    }
    if let Some(email) = missed.email {
        rows.push((words.email, email.as_str()));
    }
    if let Some(url) = missed.page {
        rows.push((words.page, url));
    }
    if !rows.is_empty() {
        page.fields(&rows);
    }
    page.lines(missed.lines);
    let subject_line = subject(&fill(words.missed_subject, &[("who", who), ("site", site)]));
    page.finish(subject_line)
}

/// The admin's "send a test email": says which relay carried it.
pub fn test_email(lang: Lang, host: &str) -> Rendered {
    let brand = Brand::new("Shopkeep", DEFAULT_COLOR, None);
    let mut page = Page::new(lang, &brand);
    page.footer = false;
    let words = page.words();
    page.paragraph(words.test_body, &[("host", host)]);
    page.finish(subject(words.test_subject))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MARKUP: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>";

    fn brand() -> Brand {
        Brand::new("Tea & <Co>", "#aa3300", Some("Europe/Berlin"))
    }

    fn name(text: &str) -> HeaderText {
        HeaderText::parse(text).unwrap()
    }

    fn address(text: &str) -> EmailAddress {
        EmailAddress::parse(text).unwrap()
    }

    fn every_mail(lang: Lang, name_text: &str, message: &str) -> Vec<Rendered> {
        let visitor = name(name_text);
        let email = address("visitor@example.net");
        let lines = vec![
            TranscriptLine {
                at: 1_783_936_800_000,
                author: name_text.to_owned(),
                text: message.to_owned(),
            },
            TranscriptLine {
                at: 1_783_936_860_000,
                author: "Anna".to_owned(),
                text: "Hello!\nHow can I help?".to_owned(),
            },
        ];
        vec![
            offline_message(
                &brand(),
                lang,
                &OfflineMessage {
                    name: Some(&visitor),
                    email: &email,
                    phone: Some("+49 30 1234"),
                    department: Some("Sales"),
                    page: Some("https://shop.example/cart?x=<y>"),
                    message,
                },
            ),
            reply(
                &brand(),
                lang,
                &Reply {
                    operator: "Anna",
                    text: message,
                    original: Some(message),
                },
            ),
            transcript(&brand(), lang, 1_783_936_800_000, &lines),
            missed_chat(
                &brand(),
                lang,
                &MissedChat {
                    name: Some(&visitor),
                    email: Some(&email),
                    page: None,
                    started_at: 1_783_936_800_000,
                    lines: &lines,
                },
            ),
            test_email(lang, "smtp.shop.example"),
        ]
    }

    #[test]
    fn markup_in_names_and_messages_is_escaped_in_html_and_literal_in_text() {
        for lang in Lang::ALL {
            for (index, mail) in every_mail(lang, MARKUP, MARKUP).iter().enumerate() {
                if index == 4 {
                    continue;
                }
                assert!(!mail.html.contains("<script>"), "{lang:?} {index}");
                assert!(!mail.html.contains("<img"), "{lang:?} {index}");
                assert!(
                    mail.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                    "{lang:?} {index}"
                );
                assert!(
                    mail.text.contains(MARKUP),
                    "{lang:?} {index}: {}",
                    mail.text
                );
            }
        }
        // The site's name too.
        let mail = &every_mail(Lang::En, "Ann", "Hi")[0];
        assert!(mail.html.contains("Tea &amp; &lt;Co&gt;"));
        assert!(!mail.html.contains("<Co>"));
        assert!(mail.text.contains("Tea & <Co>"));
        assert!(mail.subject.as_str().contains("Tea & <Co>"));
    }

    #[test]
    fn placeholders_in_user_text_stay_inert() {
        let sneaky = "{site} {{constructor.constructor('alert(1)')()}} ${7*7} {who}";
        for lang in Lang::ALL {
            for (index, mail) in every_mail(lang, sneaky, sneaky).iter().enumerate() {
                if index == 4 {
                    continue;
                }
                assert!(
                    mail.text.contains(sneaky),
                    "{lang:?} {index}: {}",
                    mail.text
                );
            }
        }
        let offline = &every_mail(Lang::En, sneaky, "Hi")[0];
        assert!(
            offline
                .subject
                .as_str()
                .starts_with(&format!("Offline message from {sneaky}"))
        );
        assert_eq!(
            fill("{a} and {b}", &[("a", "{b}"), ("b", "B")]),
            "{b} and B"
        );
        assert_eq!(fill("{unknown} {", &[("a", "A")]), "{unknown} {");
    }

    #[test]
    fn each_language_renders_its_own_words() {
        let expect = [
            (
                Lang::En,
                "Offline message from",
                "Your conversation with",
                "lang=\"en\"",
            ),
            (
                Lang::Ru,
                "Сообщение, оставленное офлайн",
                "Ваш разговор с",
                "lang=\"ru\"",
            ),
            (
                Lang::Uk,
                "Повідомлення, залишене офлайн",
                "Ваша розмова з",
                "lang=\"uk\"",
            ),
            (Lang::Ja, "オフラインメッセージ", "との会話", "lang=\"ja\""),
        ];
        for (lang, offline, transcript, html_lang) in expect {
            let mails = every_mail(lang, "Ann", "Hello");
            assert!(mails[0].subject.as_str().contains(offline), "{lang:?}");
            assert!(mails[2].subject.as_str().contains(transcript), "{lang:?}");
            for mail in &mails {
                assert!(mail.html.contains(html_lang), "{lang:?}");
                assert!(mail.html.contains("#aa3300") || mail.html.contains(DEFAULT_COLOR));
                assert!(!mail.text.is_empty());
            }
        }
        assert_eq!(Lang::from_tag(Some("uk-UA")), Lang::Uk);
        assert_eq!(Lang::from_tag(Some("de")), Lang::En);
        assert_eq!(Lang::from_tag(None), Lang::En);
    }

    #[test]
    fn subjects_are_single_clean_lines() {
        for lang in Lang::ALL {
            for mail in every_mail(lang, "Ann", "Hello\nthere\r\n") {
                assert!(!mail.subject.as_str().chars().any(is_forbidden));
            }
        }
        let dirty = Brand::new("Shop\r\nBcc: x@evil.example\u{2028}", "red", None);
        let mail = test_email(Lang::En, "h");
        assert!(!mail.subject.as_str().contains('\n'));
        let mail = transcript(&dirty, Lang::En, 0, &[]);
        assert!(!mail.subject.as_str().chars().any(is_forbidden));
        assert!(mail.subject.as_str().contains("Shop  Bcc: x@evil.example"));
        // A bad colour falls back to the default.
        assert!(mail.html.contains(DEFAULT_COLOR));
        // A long name is cut, not refused.
        let long = Brand::new(&"S".repeat(500), "#000000", None);
        let mail = reply(
            &long,
            Lang::En,
            &Reply {
                operator: "A",
                text: "B",
                original: None,
            },
        );
        assert!(mail.subject.as_str().chars().count() <= 200);
    }

    #[test]
    fn times_are_shown_in_the_shop_zone() {
        // 2026-07-13 08:00 UTC is 10:00 in Berlin (CEST).
        let mail = transcript(&brand(), Lang::En, 1_783_929_600_000, &[]);
        assert!(mail.text.contains("2026-07-13 10:00 CEST"), "{}", mail.text);
        let utc = Brand::new("Shop", "#000000", None);
        let mail = transcript(&utc, Lang::En, 1_783_929_600_000, &[]);
        assert!(mail.text.contains("2026-07-13 08:00 UTC"), "{}", mail.text);
    }

    #[test]
    fn the_test_email_names_the_relay_and_has_no_shop_footer() {
        for lang in Lang::ALL {
            let mail = test_email(lang, "smtp.shop.example");
            assert!(mail.text.contains("smtp.shop.example"), "{lang:?}");
            assert!(mail.html.contains("smtp.shop.example"), "{lang:?}");
            assert!(!mail.text.contains("-- \n"), "{lang:?}");
        }
    }

    #[test]
    fn message_line_breaks_survive_in_both_parts() {
        let mail = &every_mail(Lang::En, "Ann", "line one\nline two")[1];
        assert!(mail.text.contains("> line one\n> line two"));
        assert!(mail.html.contains("line one<br>\nline two"));
        assert!(
            mail.text
                .ends_with("-- \nSent by Shopkeep for Tea & <Co>.\n")
        );
    }
}
