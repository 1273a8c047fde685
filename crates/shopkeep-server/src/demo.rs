//! The demo shop's stand-in for a shop backend: it signs the identity of a few
//! made-up customers with the demo site's secret, as a real shop's server would
//! for its signed-in customer. Only the demo site, only these customers.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use shopkeep_core::identity;

use crate::error::ApiError;
use crate::sites::DEMO_SLUG;
use crate::state::AppState;

struct Customer {
    id: &'static str,
    name: &'static str,
    email: &'static str,
}

const CUSTOMERS: [Customer; 2] = [
    Customer {
        id: "cust-1001",
        name: "Anna Petrova",
        email: "anna.petrova@example.com",
    },
    Customer {
        id: "cust-1002",
        name: "Taro Yamada",
        email: "taro.yamada@example.com",
    },
];

#[derive(Serialize)]
pub struct SignedIdentity {
    id: &'static str,
    name: &'static str,
    email: &'static str,
    hash: String,
}

/// `GET /demo/identity/{customer}`: what the demo page passes to `identify`.
pub async fn identity(
    State(state): State<AppState>,
    Path(customer): Path<String>,
) -> Result<Json<SignedIdentity>, ApiError> {
    let site = state
        .store
        .site_by_slug(DEMO_SLUG)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let customer = CUSTOMERS
        .iter()
        .find(|c| c.id == customer)
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(SignedIdentity {
        id: customer.id,
        name: customer.name,
        email: customer.email,
        hash: identity::sign(&site.hmac_secret, customer.id),
    }))
}
