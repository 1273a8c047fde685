//! The live visitor list and stored visits: what a visitor's pages show the
//! console and what is kept, with private parameters stripped, countries from
//! the GeoIP database and page floods limited.

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use shopkeep_core::privacy::truncate_ip;
use shopkeep_server::tracking::client_ip::TrustedProxy;
use shopkeep_server::tracking::geo::GeoIp;

use crate::helpers::{
    SECOND_OPERATOR_EMAIL, TestApp, Ws, eventually, spawn_app_with, tracking_settings,
};

pub const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

/// A console socket of the operator that watches the live list, after the first `visitors`.
pub async fn watching_console(app: &TestApp) -> (Ws, Value) {
    let (mut agent, _) = app.agent().await;
    agent
        .send(json!({"type": "watch_visitors", "watch": true}))
        .await;
    let snapshot = agent.until("visitors").await;
    (agent, snapshot)
}

/// The next live row of `visitor` pushed to a watching console that satisfies `matches`.
pub async fn row_where(agent: &mut Ws, visitor: &Value, matches: impl Fn(&Value) -> bool) -> Value {
    let frame = agent
        .until_match(|f| {
            f["type"] == "visitors_changed"
                && f["changed"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|row| row["visitor_id"] == *visitor && matches(row))
        })
        .await;
    frame["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["visitor_id"] == *visitor && matches(row))
        .unwrap()
        .clone()
}

/// Waits until the console hears that `visitor` left the list.
pub async fn left(agent: &mut Ws, visitor: &Value) {
    agent
        .until_match(|f| {
            f["type"] == "visitors_changed"
                && f["left"].as_array().unwrap().iter().any(|v| v == visitor)
        })
        .await;
}

pub fn page(url: &str, title: &str) -> Value {
    json!({"type": "page", "url": url, "title": title})
}

/// The visitor's profile once `ready` holds for it (page views are written in batches).
pub async fn profile_when(app: &TestApp, visitor: &Value, ready: impl Fn(&Value) -> bool) -> Value {
    let staff = app.staff().await;
    let path = format!("/api/v1/visitors/{}", visitor.as_str().unwrap());
    eventually("the visitor's profile", || async {
        let profile = app.get_json(&staff, &path).await;
        ready(&profile).then_some(profile)
    })
    .await
}

fn urls(pages: &Value) -> Vec<&str> {
    pages
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["url"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_watching_console_sees_the_visitor_browse_and_leave() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut anna, snapshot) = watching_console(&app).await;
    assert_eq!(snapshot["visitors"], json!([]));
    let (mut boris, _) = app.agent_as(SECOND_OPERATOR_EMAIL).await;
    let (mut visitor, welcome) = app
        .visitor_with(json!({"lang": "en-GB"}), &[("user-agent", FIREFOX_LINUX)])
        .await;
    let id = welcome["visitor_id"].clone();

    visitor
        .send(json!({
            "type": "page",
            "url": "https://shop.test/?utm_source=newsletter&token=s3cret&email=anna%40example.com",
            "title": "Northwind — Home",
            "referrer": "https://news.example/story?token=x",
        }))
        .await;
    let row = row_where(&mut anna, &id, |r| r["page"].is_object()).await;
    assert_eq!(
        row["page"]["url"],
        "https://shop.test/?utm_source=newsletter"
    );
    assert_eq!(row["page"]["title"], "Northwind — Home");
    assert_eq!(row["referrer"], "https://news.example/story");
    assert_eq!(row["utm_source"], "newsletter");
    assert_eq!(row["visit_number"], 1);
    assert_eq!(row["lang"], "en-GB");
    assert_eq!(row["client"]["browser"], "Firefox 121");
    assert_eq!(row["client"]["os"], "Linux");
    assert_eq!(row["client"]["device"], "desktop");
    assert_eq!(row["active"], true);
    assert_eq!(row["site_id"], json!(app.site.id));

    visitor
        .send(json!({
            "type": "page",
            "url": "https://shop.test/jackets?size=m&session=abc",
            "title": "Jackets",
            "referrer": "https://shop.test/",
        }))
        .await;
    let row = row_where(&mut anna, &id, |r| r["path"].as_array().unwrap().len() == 2).await;
    assert_eq!(row["page"]["url"], "https://shop.test/jackets?size=m");
    assert_eq!(
        urls(&row["path"]),
        vec![
            "https://shop.test/?utm_source=newsletter",
            "https://shop.test/jackets?size=m"
        ]
    );
    // The visit's referrer stays the external one.
    assert_eq!(row["referrer"], "https://news.example/story");

    visitor
        .send(json!({"type": "activity", "active": false}))
        .await;
    row_where(&mut anna, &id, |r| r["active"] == false).await;
    visitor
        .send(json!({"type": "activity", "active": true}))
        .await;
    row_where(&mut anna, &id, |r| r["active"] == true).await;

    // A console that does not watch the list hears nothing of it.
    boris
        .none_within(Duration::from_millis(300), |f| {
            f["type"] == "visitors" || f["type"] == "visitors_changed"
        })
        .await;

    // A console that starts watching now gets the row in its snapshot.
    let (_late, snapshot) = watching_console(&app).await;
    let rows = snapshot["visitors"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["visitor_id"], id);

    visitor.close().await;
    row_where(&mut anna, &id, |r| r["active"] == false).await;
    left(&mut anna, &id).await;
    let (_after, snapshot) = watching_console(&app).await;
    assert_eq!(snapshot["visitors"], json!([]));

    // What was stored is stripped the same way.
    let profile = profile_when(&app, &id, |p| {
        p["visits"][0]["pages"]
            .as_array()
            .is_some_and(|pages| pages.len() == 2)
    })
    .await;
    let visit = &profile["visits"][0];
    assert_eq!(
        urls(&visit["pages"]),
        vec![
            "https://shop.test/?utm_source=newsletter",
            "https://shop.test/jackets?size=m"
        ]
    );
    assert_eq!(visit["referrer"], "https://news.example/story");
    assert_eq!(visit["utm_source"], "newsletter");
    assert_eq!(visit["client"]["browser"], "Firefox 121");
    assert_eq!(visit["lang"], "en-GB");
    assert!(profile["live"].is_null());
    let stored = serde_json::to_string(&profile).unwrap();
    assert!(!stored.contains("s3cret") && !stored.contains("anna%40example.com"));
}

#[tokio::test]
async fn a_same_site_referrer_is_not_where_the_visitor_came_from() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut anna, _) = watching_console(&app).await;
    let (mut visitor, welcome) = app.visitor(None).await;
    let id = welcome["visitor_id"].clone();

    visitor
        .send(json!({
            "type": "page",
            "url": "https://shop.test/cart",
            "title": "Cart",
            "referrer": "https://shop.test/jackets",
        }))
        .await;

    let row = row_where(&mut anna, &id, |r| r["page"].is_object()).await;
    assert!(row["referrer"].is_null(), "{row}");
    assert!(row["utm_source"].is_null());
}

#[tokio::test]
async fn pages_that_are_not_web_urls_are_refused() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut visitor, _) = app.visitor(None).await;
    for url in [
        "javascript:alert(1)",
        "data:text/html,<script>x</script>",
        "",
    ] {
        visitor.send(page(url, "x")).await;
        assert_eq!(
            visitor.until("error").await["code"],
            "invalid_input",
            "{url}"
        );
    }
    visitor.send(json!({"type": "ping"})).await;
    visitor.until("pong").await;
}

#[tokio::test]
async fn reconnecting_within_the_visit_keeps_the_visit_number_and_the_path() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut anna, _) = watching_console(&app).await;
    let (mut visitor, welcome) = app.visitor(None).await;
    let id = welcome["visitor_id"].clone();
    let token = welcome["token"].as_str().unwrap().to_owned();
    visitor.send(page("https://shop.test/", "Home")).await;
    visitor
        .send(page("https://shop.test/jackets", "Jackets"))
        .await;
    let first = row_where(&mut anna, &id, |r| r["path"].as_array().unwrap().len() == 2).await;
    visitor.close().await;

    // The next page opens a new socket within the grace: the same row goes on.
    let (mut visitor, _) = app.visitor(Some(&token)).await;
    visitor
        .send(page("https://shop.test/jackets/blue", "Blue jacket"))
        .await;
    let row = row_where(&mut anna, &id, |r| r["path"].as_array().unwrap().len() == 3).await;
    assert_eq!(row["visit_id"], first["visit_id"]);
    assert_eq!(row["visit_number"], 1);
    assert_eq!(
        urls(&row["path"]),
        vec![
            "https://shop.test/",
            "https://shop.test/jackets",
            "https://shop.test/jackets/blue"
        ]
    );
    visitor.close().await;
    left(&mut anna, &id).await;

    // Back after the row left the list, but within the visit: the stored
    // visit and its pages carry on.
    profile_when(&app, &id, |p| {
        p["visits"][0]["pages"]
            .as_array()
            .is_some_and(|pages| pages.len() == 3)
    })
    .await;
    let (mut visitor, _) = app.visitor(Some(&token)).await;
    visitor.send(page("https://shop.test/cart", "Cart")).await;
    let row = row_where(&mut anna, &id, |r| r["page"]["title"] == "Cart").await;
    assert_eq!(row["visit_id"], first["visit_id"]);
    assert_eq!(row["visit_number"], 1);
    assert_eq!(
        urls(&row["path"]),
        vec![
            "https://shop.test/",
            "https://shop.test/jackets",
            "https://shop.test/jackets/blue",
            "https://shop.test/cart"
        ]
    );

    let profile = profile_when(&app, &id, |p| {
        p["visits"][0]["pages"]
            .as_array()
            .is_some_and(|pages| pages.len() == 4)
    })
    .await;
    let visits = profile["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 1, "{profile}");
    assert_eq!(visits[0]["number"], 1);
    assert_eq!(visits[0]["pages"][3]["title"], "Cart");
    assert_eq!(profile["live"]["visitor_id"], id);
}

fn geoip_database() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(
        "../../web/node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb",
    );
    assert!(
        path.exists(),
        "the GeoIP test database {} is missing: run `npm ci` in web/",
        path.display()
    );
    path
}

async fn country_seen(trusted: Vec<TrustedProxy>, headers: &[(&str, &str)]) -> Value {
    let mut settings = tracking_settings();
    settings.tracking.geoip_database = Some(geoip_database());
    settings.tracking.trusted_proxies = trusted;
    let app = spawn_app_with(settings).await;
    let (mut anna, _) = watching_console(&app).await;
    let (mut visitor, welcome) = app.visitor_with(json!({}), headers).await;
    let id = welcome["visitor_id"].clone();
    visitor.send(page("https://shop.test/", "Home")).await;
    let row = row_where(&mut anna, &id, |r| r["page"].is_object()).await;
    let profile = profile_when(&app, &id, |p| !p["visits"].as_array().unwrap().is_empty()).await;
    assert_eq!(profile["visits"][0]["country"], row["country"]);
    row["country"].clone()
}

#[tokio::test]
async fn the_country_comes_from_a_trusted_proxys_forwarded_address() {
    let database = GeoIp::open(&geoip_database()).unwrap();
    let address = "81.2.69.160".parse().unwrap();
    assert_eq!(
        database.country(truncate_ip(address)).as_deref(),
        Some("GB")
    );

    let proxy: TrustedProxy = "127.0.0.1".parse().unwrap();
    let forwarded = [("x-forwarded-for", "81.2.69.160")];
    assert_eq!(country_seen(vec![proxy], &forwarded).await, "GB");
    // The client wrote the left part itself; the proxy appended what it saw.
    let spoofed = [("x-forwarded-for", "8.8.8.8, 81.2.69.160")];
    assert_eq!(country_seen(vec![proxy], &spoofed).await, "GB");
}

#[tokio::test]
async fn forwarded_addresses_from_an_untrusted_peer_are_ignored() {
    let forwarded = [("x-forwarded-for", "81.2.69.160")];
    assert_eq!(country_seen(vec![], &forwarded).await, Value::Null);
    let elsewhere: TrustedProxy = "10.0.0.0/8".parse().unwrap();
    assert_eq!(country_seen(vec![elsewhere], &forwarded).await, Value::Null);
}

#[tokio::test]
async fn a_page_flood_is_limited_without_slowing_other_visitors() {
    let app = spawn_app_with(tracking_settings()).await;
    let (mut anna, _) = watching_console(&app).await;
    let (mut flooder, _) = app.visitor(None).await;
    let (mut neighbour, welcome) = app.visitor(None).await;
    let neighbour_id = welcome["visitor_id"].clone();

    for n in 0..100 {
        flooder
            .send(page(&format!("https://shop.test/p{n}"), "Flood"))
            .await;
    }
    // A ping marks the end of the answers; while the socket's own frame limit
    // refuses the ping too, ask again.
    let mut limited = 0;
    let mut pings = 0;
    'answers: loop {
        flooder.send(json!({"type": "ping"})).await;
        pings += 1;
        assert!(pings < 50, "no pong after the flood");
        while let Some(frame) = flooder.next_within(Duration::from_millis(200)).await {
            match frame["type"].as_str().unwrap() {
                "error" => {
                    assert_eq!(frame["code"], "rate_limited");
                    limited += 1;
                }
                "pong" => break 'answers,
                _ => {}
            }
        }
    }
    assert!(limited >= 50, "only {limited} of 100 pages were limited");
    assert!(limited < 100 + pings, "some pages got through");

    neighbour
        .send(page("https://shop.test/quiet", "Quiet"))
        .await;
    row_where(&mut anna, &neighbour_id, |r| r["page"]["title"] == "Quiet").await;
    neighbour
        .send(json!({"type": "send", "client_msg_id": "n1", "text": "Still here"}))
        .await;
    assert_eq!(neighbour.until("ack").await["seq"], 1);
    neighbour
        .none_within(Duration::from_millis(200), |f| f["type"] == "error")
        .await;
}

#[tokio::test]
async fn profiles_need_a_session_and_unknown_visitors_are_not_found() {
    let app = spawn_app_with(tracking_settings()).await;
    let (_visitor, welcome) = app.visitor(None).await;
    let path = format!(
        "/api/v1/visitors/{}",
        welcome["visitor_id"].as_str().unwrap()
    );
    for anonymous in [path.as_str(), "/api/v1/sites"] {
        let response = reqwest::get(app.url(anonymous)).await.unwrap();
        assert_eq!(response.status(), 401, "{anonymous}");
    }
    let staff = app.staff().await;
    let profile = app.get_json(&staff, &path).await;
    assert_eq!(profile["visitor_id"], welcome["visitor_id"]);
    assert_eq!(profile["site_id"], json!(app.site.id));
    assert_eq!(profile["visits"], json!([]));
    assert_eq!(profile["identity"]["verified"], false);
    let unknown = format!(
        "/api/v1/visitors/{}",
        json!(shopkeep_core::ids::VisitorId::new())
            .as_str()
            .unwrap()
    );
    for missing in [
        unknown.as_str(),
        "/api/v1/visitors/nope",
        "/api/v1/visitors/1%20OR%201=1",
    ] {
        let response = app.call(&staff, reqwest::Method::GET, missing, None).await;
        assert_eq!(response.status(), 404, "{missing}");
    }
}
