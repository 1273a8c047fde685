//! Staff photos: uploaded by their owner, shown in the console and in the
//! widget's invitations (on shop pages, hence the cross-origin policy).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use shopkeep_core::ids::StaffId;
use shopkeep_store::{Staff, StaffPhoto};

use crate::auth::csrf;
use crate::auth::routes::{MeResponse, me_of};
use crate::auth::session::StaffSession;
use crate::error::ApiError;
use crate::state::AppState;

/// Largest photo; the console scales pictures down before uploading.
pub const MAX_PHOTO_BYTES: usize = 60 * 1024;

/// The path the console and the widget load a member of staff's photo from,
/// versioned so a new photo is not hidden by a cached old one.
pub fn photo_path(staff: &Staff) -> Option<String> {
    staff
        .photo_at
        .map(|at| format!("/v1/staff/{}/photo?v={at}", staff.id))
}

/// The image type, judged by the bytes themselves, never by what the client says.
pub fn sniff(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if data.len() > 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

pub async fn upload(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
    data: Bytes,
) -> Result<Json<MeResponse>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    if data.is_empty() || data.len() > MAX_PHOTO_BYTES {
        return Err(ApiError::invalid(format!(
            "a photo is 1 byte to {} KiB",
            MAX_PHOTO_BYTES / 1024
        )));
    }
    let content_type =
        sniff(&data).ok_or_else(|| ApiError::invalid("a photo is a PNG, JPEG or WebP image"))?;
    let photo = StaffPhoto {
        content_type: content_type.to_owned(),
        data: data.to_vec(),
    };
    let staff = state
        .store
        .set_staff_photo(session.staff.id, Some(photo))
        .await?;
    Ok(Json(MeResponse {
        me: me_of(&staff),
        csrf_token: session.session.csrf_token,
    }))
}

pub async fn remove(
    State(state): State<AppState>,
    session: StaffSession,
    headers: HeaderMap,
) -> Result<Json<MeResponse>, ApiError> {
    csrf::check(&headers, &state.public, &session.session.csrf_token)?;
    let staff = state.store.set_staff_photo(session.staff.id, None).await?;
    Ok(Json(MeResponse {
        me: me_of(&staff),
        csrf_token: session.session.csrf_token,
    }))
}

/// `GET /v1/staff/{id}/photo`: public, as a shop page shows it.
pub async fn serve(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id: StaffId = id.parse().map_err(|_| ApiError::not_found())?;
    let photo = state
        .store
        .staff_photo(id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // Stored types are sniffed on upload; check again rather than trust the row.
    let content_type = sniff(&photo.data).ok_or_else(ApiError::not_found)?;
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        ),
        (
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; sandbox"),
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        ),
    ];
    Ok((headers, photo.data).into_response())
}
