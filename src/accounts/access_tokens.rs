//! Personal access tokens as presented: who a token acts as. Created and revoked on
//! `/account/tokens` (`api::tokens`); used by the JSON API and the mock.

use crate::accounts::{User, tokens, users};

/// Tokens carry this prefix so a leaked one is recognisable (and secret scanners can match it).
pub const PREFIX: &str = "ppat_";

/// The active user a presented token belongs to, if the token is valid and not revoked.
pub async fn user_for(db: &sqlx::PgPool, presented: &str) -> sqlx::Result<Option<User>> {
    let Some(plain) = presented.strip_prefix(PREFIX) else {
        return Ok(None);
    };
    let digest = tokens::digest(plain);
    let owner = sqlx::query_scalar!(
        "UPDATE api_tokens SET last_used_at = now()
         WHERE token_hash = $1 AND revoked_at IS NULL RETURNING user_id",
        digest.as_slice()
    )
    .fetch_optional(db)
    .await?;
    let Some(user) = owner else {
        return Ok(None);
    };
    Ok(users::find(db, user).await?.filter(|u| u.active))
}
