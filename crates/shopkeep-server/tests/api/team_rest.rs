//! REST for team work: departments, staff accounts, canned answers, tags,
//! the history search and the audit log, each with its roles enforced.

use reqwest::Method;
use serde_json::{Value, json};
use shopkeep_core::ids::{ConversationId, DepartmentId};
use shopkeep_core::staff::Role;
use shopkeep_core::text::{ClientMsgId, MessageText};

use crate::helpers::{OPERATOR_EMAIL, SECOND_OPERATOR_EMAIL, StaffLogin, TestApp, spawn_app};

const ADMIN_EMAIL: &str = "ada@shop.test";
const SUPERVISOR_EMAIL: &str = "sam@shop.test";

struct Team {
    app: TestApp,
    admin: StaffLogin,
    supervisor: StaffLogin,
    /// Anna, the operator from `spawn_app`.
    anna: StaffLogin,
    /// Boris, a second operator.
    boris: StaffLogin,
}

async fn team() -> Team {
    let app = spawn_app().await;
    app.add_staff(ADMIN_EMAIL, "Ada", Role::Admin).await;
    app.add_staff(SUPERVISOR_EMAIL, "Sam", Role::Supervisor)
        .await;
    let admin = app.staff_as(ADMIN_EMAIL).await;
    let supervisor = app.staff_as(SUPERVISOR_EMAIL).await;
    let anna = app.staff_as(OPERATOR_EMAIL).await;
    let boris = app.staff_as(SECOND_OPERATOR_EMAIL).await;
    Team {
        app,
        admin,
        supervisor,
        anna,
        boris,
    }
}

async fn staff_id(app: &TestApp, email: &str) -> Value {
    json!(app.store.staff_by_email(email).await.unwrap().unwrap().id)
}

fn department(name: &str, members: Vec<Value>) -> Value {
    json!({
        "name": name,
        "routing": "least_busy",
        "public": true,
        "pages": ["/delivery"],
        "notify_address": null,
        "members": members,
    })
}

async fn create_department(team: &Team, name: &str, members: Vec<Value>) -> Value {
    let mut body = department(name, members);
    body["site_id"] = json!(team.app.site.id);
    let response = team
        .app
        .call(&team.admin, Method::POST, "/api/v1/departments", Some(body))
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

/// A waiting conversation of `department`, started by a visitor of the test site.
async fn conversation_in(app: &TestApp, department: Option<DepartmentId>) -> ConversationId {
    let visitor = app
        .store
        .create_visitor(
            app.site.id,
            shopkeep_core::ids::VisitorId::new()
                .to_string()
                .into_bytes(),
        )
        .await
        .unwrap();
    app.store
        .post_visitor_message(
            app.site.id,
            visitor.id,
            None,
            ClientMsgId::parse("m-1").unwrap(),
            MessageText::parse("Where is my parcel?").unwrap(),
            department,
        )
        .await
        .unwrap()
        .conversation
        .id
}

#[tokio::test]
async fn only_admins_change_departments_and_everyone_lists_them() {
    let team = team().await;
    let app = &team.app;
    let anna = staff_id(app, OPERATOR_EMAIL).await;
    let created = create_department(&team, "Delivery", vec![anna.clone()]).await;
    assert_eq!(created["name"], "Delivery");
    assert_eq!(created["members"], json!([anna]));

    let mut body = department("Sales", vec![]);
    body["site_id"] = json!(app.site.id);
    for who in [&team.anna, &team.supervisor] {
        let response = app
            .call(who, Method::POST, "/api/v1/departments", Some(body.clone()))
            .await;
        assert_eq!(response.status(), 403);
    }
    let listed = app.get_json(&team.anna, "/api/v1/departments").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let path = format!("/api/v1/departments/{}", created["id"].as_str().unwrap());
    let mut renamed = department("Shipping", vec![]);
    renamed["routing"] = json!("round_robin");
    let response = app
        .call(&team.admin, Method::PUT, &path, Some(renamed))
        .await;
    assert_eq!(response.status(), 200);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["name"], "Shipping");
    assert_eq!(updated["routing"], "round_robin");
    assert_eq!(updated["members"], json!([]));

    let response = app.call(&team.anna, Method::DELETE, &path, None).await;
    assert_eq!(response.status(), 403);
    let response = app.call(&team.admin, Method::DELETE, &path, None).await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        app.get_json(&team.anna, "/api/v1/departments").await,
        json!([])
    );
}

#[tokio::test]
async fn bad_departments_are_refused_with_a_reason_and_nothing_stored() {
    let team = team().await;
    let app = &team.app;
    let site = json!(app.site.id);
    let cases = [
        json!({"site_id": site, "name": "  ", "routing": "manual", "public": true, "pages": [], "notify_address": null, "members": []}),
        json!({"site_id": site, "name": "Sales", "routing": "manual", "public": true, "pages": [], "notify_address": "sales@shop.test\r\nBcc: x@evil.test", "members": []}),
        json!({"site_id": site, "name": "Sales", "routing": "fastest", "public": true, "pages": [], "notify_address": null, "members": []}),
        json!({"site_id": ConversationId::new(), "name": "Sales", "routing": "manual", "public": true, "pages": [], "notify_address": null, "members": []}),
        json!({"site_id": site, "name": "Sales", "routing": "manual", "public": true, "pages": [], "notify_address": null, "members": [ConversationId::new()]}),
    ];
    for body in cases {
        let response = app
            .call(
                &team.admin,
                Method::POST,
                "/api/v1/departments",
                Some(body.clone()),
            )
            .await;
        assert!(
            matches!(response.status().as_u16(), 404 | 422),
            "{body}: {}",
            response.status()
        );
    }
    assert!(app.store.list_departments(None).await.unwrap().is_empty());
    create_department(&team, "Sales", vec![]).await;
    let mut twice = department("sales", vec![]);
    twice["site_id"] = json!(app.site.id);
    let response = app
        .call(
            &team.admin,
            Method::POST,
            "/api/v1/departments",
            Some(twice),
        )
        .await;
    assert_eq!(response.status(), 409);
}

#[tokio::test]
async fn admins_add_staff_and_set_roles_and_maximum_chats() {
    let team = team().await;
    let app = &team.app;
    let response = app
        .call(&team.anna, Method::GET, "/api/v1/staff", None)
        .await;
    assert_eq!(response.status(), 403);
    let listed = app.get_json(&team.supervisor, "/api/v1/staff").await;
    let anna = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["email"] == OPERATOR_EMAIL)
        .unwrap()
        .clone();
    assert_eq!(anna["role"], "operator");
    assert_eq!(anna["max_chats"], 4);
    assert_eq!(anna["status"], "offline");

    let new = json!({"email": "olga@shop.test", "name": "Olga", "role": "operator", "password": "a long enough secret", "max_chats": 2});
    let response = app
        .call(
            &team.supervisor,
            Method::POST,
            "/api/v1/staff",
            Some(new.clone()),
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = app
        .call(&team.admin, Method::POST, "/api/v1/staff", Some(new))
        .await;
    assert_eq!(response.status(), 201);
    let olga: Value = response.json().await.unwrap();
    assert_eq!(olga["max_chats"], 2);
    assert_eq!(
        app.login("olga@shop.test", "a long enough secret")
            .await
            .status(),
        200
    );

    let short =
        json!({"email": "p@shop.test", "name": "P", "role": "operator", "password": "short"});
    let response = app
        .call(&team.admin, Method::POST, "/api/v1/staff", Some(short))
        .await;
    assert_eq!(response.status(), 422);

    let path = format!("/api/v1/staff/{}", anna["id"].as_str().unwrap());
    for bad in [
        json!({"max_chats": 0}),
        json!({"max_chats": 51}),
        json!({"role": "owner"}),
    ] {
        let response = app
            .call(&team.admin, Method::PATCH, &path, Some(bad.clone()))
            .await;
        assert_eq!(response.status(), 422, "{bad}");
    }
    let response = app
        .call(
            &team.anna,
            Method::PATCH,
            &path,
            Some(json!({"max_chats": 9})),
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = app
        .call(
            &team.admin,
            Method::PATCH,
            &path,
            Some(json!({"max_chats": 1, "role": "supervisor"})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["max_chats"], 1);
    assert_eq!(changed["role"], "supervisor");

    let me = staff_id(app, ADMIN_EMAIL).await;
    let response = app
        .call(
            &team.admin,
            Method::PATCH,
            &format!("/api/v1/staff/{}", me.as_str().unwrap()),
            Some(json!({"role": "operator"})),
        )
        .await;
    assert_eq!(response.status(), 422);
}

fn canned(shortcut: &str, shared: bool) -> Value {
    json!({
        "shortcut": shortcut,
        "title": "Delivery times",
        "text": "Hello {visitor.name}, parcels leave within a day.",
        "variants": {"ru": "Здравствуйте, {visitor.name}!"},
        "shared": shared,
    })
}

async fn create_canned(team: &Team, who: &StaffLogin, body: Value) -> reqwest::Response {
    let mut body = body;
    body["site_id"] = json!(team.app.site.id);
    team.app
        .call(who, Method::POST, "/api/v1/canned", Some(body))
        .await
}

#[tokio::test]
async fn canned_answers_are_personal_or_shared_by_supervisors() {
    let team = team().await;
    let app = &team.app;
    let list_path = format!("/api/v1/canned?site_id={}", app.site.id);
    let response = create_canned(&team, &team.anna, canned("/Delivery", false)).await;
    assert_eq!(response.status(), 201);
    let mine: Value = response.json().await.unwrap();
    assert_eq!(mine["shortcut"], "delivery");
    assert_eq!(
        create_canned(&team, &team.anna, canned("delivery", false))
            .await
            .status(),
        409
    );
    assert_eq!(
        create_canned(&team, &team.anna, canned("shared", true))
            .await
            .status(),
        403
    );
    assert_eq!(
        create_canned(&team, &team.anna, canned("two words", false))
            .await
            .status(),
        422
    );
    let response = create_canned(&team, &team.supervisor, canned("returns", true)).await;
    assert_eq!(response.status(), 201);
    let shared: Value = response.json().await.unwrap();

    // Boris sees the shared answer, not Anna's own.
    let boris_sees = app.get_json(&team.boris, &list_path).await;
    let shortcuts: Vec<&str> = boris_sees
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["shortcut"].as_str().unwrap())
        .collect();
    assert_eq!(shortcuts, ["returns"]);
    let anna_sees = app.get_json(&team.anna, &list_path).await;
    assert_eq!(anna_sees.as_array().unwrap().len(), 2);

    let mine_path = format!("/api/v1/canned/{}", mine["id"].as_str().unwrap());
    let shared_path = format!("/api/v1/canned/{}", shared["id"].as_str().unwrap());
    let response = app
        .call(
            &team.boris,
            Method::PUT,
            &mine_path,
            Some(canned("stolen", false)),
        )
        .await;
    assert_eq!(response.status(), 404);
    let response = app
        .call(&team.boris, Method::DELETE, &mine_path, None)
        .await;
    assert_eq!(response.status(), 404);
    let response = app
        .call(
            &team.boris,
            Method::PUT,
            &shared_path,
            Some(canned("returns", true)),
        )
        .await;
    assert_eq!(response.status(), 403);
    let response = app
        .call(
            &team.anna,
            Method::PUT,
            &mine_path,
            Some(canned("shipping", false)),
        )
        .await;
    assert_eq!(response.status(), 200);
    let response = app.call(&team.anna, Method::DELETE, &mine_path, None).await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        app.get_json(&team.anna, &list_path)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn operators_of_another_department_are_refused_and_audited() {
    let team = team().await;
    let app = &team.app;
    let (anna, boris) = (
        staff_id(app, OPERATOR_EMAIL).await,
        staff_id(app, SECOND_OPERATOR_EMAIL).await,
    );
    let sales = create_department(&team, "Sales", vec![anna]).await;
    create_department(&team, "Support", vec![boris]).await;
    let sales_id: DepartmentId = sales["id"].as_str().unwrap().parse().unwrap();
    let chat = conversation_in(app, Some(sales_id)).await;

    // Boris (Support) cannot see the Sales chat anywhere over REST.
    let events = format!("/api/v1/conversations/{chat}/events");
    let tags = format!("/api/v1/conversations/{chat}/tags");
    let transcript = format!("/api/v1/conversations/{chat}/transcript");
    let response = app.call(&team.boris, Method::GET, &events, None).await;
    assert_eq!(response.status(), 404);
    let response = app
        .call(
            &team.boris,
            Method::PUT,
            &tags,
            Some(json!({"tags": ["vip"]})),
        )
        .await;
    assert_eq!(response.status(), 404);
    let response = app
        .call(
            &team.boris,
            Method::POST,
            &transcript,
            Some(json!({"to": "x@y.test"})),
        )
        .await;
    assert_eq!(response.status(), 404);
    for path in ["/api/v1/conversations", "/api/v1/conversations/search"] {
        let listed = app.get_json(&team.boris, path).await;
        assert!(
            listed
                .as_array()
                .unwrap()
                .iter()
                .all(|c| c["id"] != json!(chat)),
            "{path} shows the other department's chat"
        );
    }

    // Anna (Sales) and the supervisor can.
    assert_eq!(
        app.call(&team.anna, Method::GET, &events, None)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.call(&team.supervisor, Method::GET, &events, None)
            .await
            .status(),
        200
    );

    // Each refusal is in the audit log, for admins only.
    assert_eq!(
        app.call(&team.supervisor, Method::GET, "/api/v1/audit", None)
            .await
            .status(),
        403
    );
    let audit = app.get_json(&team.admin, "/api/v1/audit").await;
    let refused: Vec<&Value> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| {
            entry["staff"]["name"] == "Boris" && entry["conversation_id"] == json!(chat)
        })
        .collect();
    assert_eq!(refused.len(), 3, "{audit}");
}

#[tokio::test]
async fn tags_are_normalised_and_the_history_filters_by_them() {
    let team = team().await;
    let app = &team.app;
    let tagged = conversation_in(app, None).await;
    let other = conversation_in(app, None).await;
    let tags = format!("/api/v1/conversations/{tagged}/tags");
    let response = app
        .call(
            &team.anna,
            Method::PUT,
            &tags,
            Some(json!({"tags": [" #Refund", "VIP", "refund"]})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(summary["tags"], json!(["refund", "vip"]));
    for bad in [
        json!({"tags": ["<script>"]}),
        json!({"tags": [""]}),
        json!({"labels": []}),
    ] {
        let response = app
            .call(&team.anna, Method::PUT, &tags, Some(bad.clone()))
            .await;
        assert_eq!(response.status(), 422, "{bad}");
    }

    let found = app
        .get_json(&team.anna, "/api/v1/conversations/search?tag=REFUND")
        .await;
    let ids: Vec<&Value> = found.as_array().unwrap().iter().map(|c| &c["id"]).collect();
    assert_eq!(ids, [&json!(tagged)]);
    let all = app
        .get_json(&team.anna, "/api/v1/conversations/search?status=waiting")
        .await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == json!(other))
    );
    let none = app
        .get_json(&team.anna, "/api/v1/conversations/search?status=closed")
        .await;
    assert_eq!(none, json!([]));
    let response = app
        .call(
            &team.anna,
            Method::GET,
            "/api/v1/conversations/search?status=lost",
            None,
        )
        .await;
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn the_history_pages_on_by_updated_at_and_id() {
    let team = team().await;
    let app = &team.app;
    for _ in 0..3 {
        conversation_in(app, None).await;
    }
    let all = app
        .get_json(&team.anna, "/api/v1/conversations/search")
        .await;
    let all: Vec<Value> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(all.len(), 3);

    let mut paged = Vec::new();
    let mut path = "/api/v1/conversations/search?limit=1".to_owned();
    loop {
        let page = app.get_json(&team.anna, &path).await;
        let Some(last) = page.as_array().unwrap().last() else {
            break;
        };
        paged.push(last["id"].clone());
        path = format!(
            "/api/v1/conversations/search?limit=1&before={}&before_id={}",
            last["updated_at"],
            last["id"].as_str().unwrap()
        );
    }
    assert_eq!(paged, all);

    let response = app
        .call(
            &team.anna,
            Method::GET,
            "/api/v1/conversations/search?before=1&before_id=nope",
            None,
        )
        .await;
    assert_eq!(response.status(), 422);
}

#[tokio::test]
async fn chat_settings_and_rule_departments_belong_to_the_site() {
    let team = team().await;
    let app = &team.app;
    let site_path = format!("/api/v1/sites/{}", app.site.id);
    let chat = json!({"choose_department": true, "sneak_peek": true, "routing": "round_robin"});
    let response = app
        .call(
            &team.admin,
            Method::PATCH,
            &site_path,
            Some(json!({"chat": chat})),
        )
        .await;
    assert_eq!(response.status(), 200);
    let site: Value = response.json().await.unwrap();
    assert_eq!(site["chat"], chat);
    let response = app
        .call(
            &team.supervisor,
            Method::PATCH,
            &site_path,
            Some(json!({"chat": chat})),
        )
        .await;
    assert_eq!(response.status(), 403);

    let rule = |department: Value| {
        json!({
            "name": "Delivery page",
            "enabled": true,
            "conditions": [{"kind": "url_matches", "pattern": "/delivery*"}],
            "text": "Questions about delivery?",
            "department": department,
        })
    };
    let rules = format!("/api/v1/sites/{}/rules", app.site.id);
    let response = app
        .call(
            &team.admin,
            Method::POST,
            &rules,
            Some(rule(json!(DepartmentId::new()))),
        )
        .await;
    assert_eq!(response.status(), 422);
    let delivery = create_department(&team, "Delivery", vec![]).await;
    let response = app
        .call(
            &team.admin,
            Method::POST,
            &rules,
            Some(rule(delivery["id"].clone())),
        )
        .await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["department"], delivery["id"]);
}
