//! Who is asking: the signed-in user behind a session, loaded once per request, and the
//! extractors that let a handler ask for a role (`Admin`, `Staff`, `PartnerUser`, …).

use axum::extract::FromRequestParts;
use axum::http::Method;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::{Role, User, users};
use crate::AppState;
use crate::web::csrf;
use crate::web::error::{AppError, Result};
use crate::web::session::{Viewer, session_from};

const SIGNED_IN_KEY: &str = "signed_in";
const TOUCHED_KEY: &str = "touched_ms";

#[derive(Serialize, Deserialize, Clone, Copy, Debug)]
struct SignedIn {
    user_id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
}

/// Starts an authenticated session under a new id, so an id planted before sign-in is worthless.
pub async fn sign_in(session: &Session, user_id: Uuid) -> Result<()> {
    session.cycle_id().await?;
    session
        .insert(
            SIGNED_IN_KEY,
            SignedIn {
                user_id,
                at: OffsetDateTime::now_utc(),
            },
        )
        .await?;
    csrf::rotate(session).await?;
    Ok(())
}

/// Deletes the session from the store; the cookie is cleared with it.
pub async fn sign_out(session: &Session) -> Result<()> {
    session.flush().await?;
    Ok(())
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        if let Some(viewer) = parts.extensions.get::<Viewer>() {
            return Ok(viewer.clone());
        }
        let session = session_from(parts, state).await?;
        let viewer = match session.get::<SignedIn>(SIGNED_IN_KEY).await? {
            None => None,
            Some(signed_in) => {
                let id = signed_in.user_id;
                let user = state
                    .shared
                    .user(&state.db, id, || users::find(&state.db, id))
                    .await?;
                let age = OffsetDateTime::now_utc() - signed_in.at;
                match user {
                    Some(user)
                        if user.active
                            && signed_in.at > user.sessions_valid_after
                            && age < state.config.session_absolute =>
                    {
                        keep_alive(&session, state.config.session_idle).await?;
                        Some(user)
                    }
                    _ => {
                        session.flush().await?;
                        None
                    }
                }
            }
        };
        let viewer = Viewer(viewer);
        parts.extensions.insert(viewer.clone());
        Ok(viewer)
    }
}

/// The store only pushes a session's idle expiry forward when the session is saved, and a
/// session is saved only when changed. Changing a timestamp now and then keeps an active user
/// signed in without a write on every request.
async fn keep_alive(session: &Session, idle: std::time::Duration) -> Result<()> {
    let now = OffsetDateTime::now_utc();
    let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
    let every = idle.div_f64(10.0).min(std::time::Duration::from_secs(60));
    let last: Option<i64> = session.get(TOUCHED_KEY).await?;
    if last.is_none_or(|last| now_ms - last >= every.as_millis() as i64) {
        session.insert(TOUCHED_KEY, now_ms).await?;
    }
    Ok(())
}

/// Any signed-in user; anyone else is sent to the sign-in page and brought back afterwards.
pub struct CurrentUser(pub User);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        match Viewer::from_request_parts(parts, state).await?.0 {
            Some(user) => Ok(CurrentUser(user)),
            None => Err(AppError::SignInRequired {
                return_to: (parts.method == Method::GET)
                    .then(|| parts.uri.path_and_query().map(|pq| pq.to_string()))
                    .flatten(),
            }),
        }
    }
}

async fn user_with_role(
    parts: &mut Parts,
    state: &AppState,
    allowed: impl Fn(Role) -> bool,
) -> Result<User> {
    let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
    if allowed(user.role) {
        Ok(user)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A Haptik admin.
pub struct Admin(pub User);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        user_with_role(parts, state, |role| role == Role::Admin)
            .await
            .map(Admin)
    }
}

/// A Haptik reviewer or admin.
pub struct Staff(pub User);

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        user_with_role(parts, state, |role| {
            matches!(role, Role::Reviewer | Role::Admin)
        })
        .await
        .map(Staff)
    }
}

/// A member of a partner company, with the company every query of theirs is scoped to.
pub struct PartnerUser {
    pub user: User,
    pub company_id: Uuid,
}

impl FromRequestParts<AppState> for PartnerUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let user = user_with_role(parts, state, |role| role == Role::Partner).await?;
        let company_id = user.company_id.ok_or(AppError::Forbidden)?;
        Ok(PartnerUser { user, company_id })
    }
}
