//! Who may call an integration's mock: the holder of one of its mock keys, or a user's personal
//! access token (Haptik staff for any integration, a partner for their company's). Both come in
//! `X-Mock-Key`, because `Authorization` belongs to the API being mocked. Never the partner's real
//! credentials: the mock ignores them.

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use uuid::Uuid;

use super::cache::{KnownKey, MockCache};
use crate::accounts::{Role, tokens};

/// Mock keys carry this prefix, as personal access tokens carry theirs.
pub const KEY_PREFIX: &str = "pmk_";
pub const HEADER: &str = "x-mock-key";

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key's or the token's id, for the rate limit.
    pub id: Uuid,
    /// The user answerable for the call (the token's user, the key's creator): the one shown the
    /// request bodies in the call log.
    pub user: Uuid,
    pub label: String,
    /// A partner user of the integration's company, through their token: may call the draft.
    pub partner_team: bool,
}

#[derive(Debug)]
pub enum Refused {
    /// No key, or one that is unknown, revoked or for another integration.
    Unknown,
    /// A key was given for another integration, or a token whose user may not see it.
    NotYours,
}

/// The caller behind `presented` for `integration`, if any.
pub async fn caller(
    db: &sqlx::PgPool,
    cache: &MockCache,
    integration: Uuid,
    presented: &str,
) -> Result<Caller, Refused> {
    let presented = presented.trim();
    if let Some(plain) = presented.strip_prefix(KEY_PREFIX) {
        let digest = tokens::digest(plain);
        let key = match cache.key(&digest) {
            Some(key) => key,
            None => {
                let epoch = cache.epoch();
                let found = sqlx::query!(
                    // A key works while its creator may still see the integration.
                    "SELECT k.id, k.integration_id, k.name, k.created_by
                     FROM mock_keys k JOIN users u ON u.id = k.created_by
                     JOIN integrations i ON i.id = k.integration_id
                     WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.active
                       AND (u.role <> 'partner' OR u.company_id = i.company_id)",
                    digest.as_slice()
                )
                .fetch_optional(db)
                .await
                .map_err(|_| Refused::Unknown)?
                .ok_or(Refused::Unknown)?;
                let key = KnownKey {
                    id: found.id,
                    integration: found.integration_id,
                    name: found.name,
                    created_by: found.created_by,
                };
                cache.keep_key(digest, key.clone(), epoch);
                key
            }
        };
        if key.integration != integration {
            return Err(Refused::NotYours);
        }
        return Ok(Caller {
            id: key.id,
            user: key.created_by,
            label: format!("key “{}”", key.name),
            partner_team: false,
        });
    }
    let user = crate::accounts::access_tokens::user_for(db, presented)
        .await
        .map_err(|_| Refused::Unknown)?
        .ok_or(Refused::Unknown)?;
    // Asked only of a valid token, so an outsider learns nothing of which ids exist.
    let company = sqlx::query_scalar!(
        "SELECT company_id FROM integrations WHERE id = $1",
        integration
    )
    .fetch_optional(db)
    .await
    .map_err(|_| Refused::Unknown)?
    .ok_or(Refused::NotYours)?;
    let partner_team = user.role == Role::Partner && user.company_id == Some(company);
    if !user.role.is_staff() && !partner_team {
        return Err(Refused::NotYours);
    }
    Ok(Caller {
        id: user.id,
        user: user.id,
        label: user.display_name,
        partner_team,
    })
}

/// Calls per second each caller may make on one instance, with a burst of twice that.
pub struct Limiter(DefaultKeyedRateLimiter<Uuid>);

impl Limiter {
    pub fn new(per_second: u32) -> Limiter {
        let rate = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
        let burst = rate.saturating_mul(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN));
        Limiter(RateLimiter::keyed(
            Quota::per_second(rate).allow_burst(burst),
        ))
    }

    pub fn allows(&self, caller: Uuid) -> bool {
        self.0.check_key(&caller).is_ok()
    }
}
