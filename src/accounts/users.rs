//! Queries about users. Every query that lists people of a company takes the company id the
//! caller is allowed to see; none trusts an id from the URL on its own.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::account::{EmailAddress, Role, User};
use crate::domain::secret::Secret;

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<User>> {
    sqlx::query_as!(
        User,
        r#"SELECT u.id, u.email::text AS "email!", u.display_name, u.role AS "role: Role",
                  u.company_id, c.name AS "company_name?", u.active, u.sessions_valid_after
           FROM users u LEFT JOIN companies c ON c.id = u.company_id WHERE u.id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// An active user and their password hash, for signing in.
pub async fn find_for_login(
    db: &PgPool,
    email: &str,
) -> sqlx::Result<Option<(Uuid, Secret<String>)>> {
    let row = sqlx::query!(
        "SELECT id, password_hash FROM users WHERE email = $1::text::citext AND active",
        email.trim()
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|row| (row.id, Secret::new(row.password_hash))))
}

pub async fn find_active_id_by_email(
    conn: &mut PgConnection,
    email: &EmailAddress,
) -> sqlx::Result<Option<Uuid>> {
    sqlx::query_scalar!(
        "SELECT id FROM users WHERE email = $1::text::citext AND active",
        email.as_str()
    )
    .fetch_optional(conn)
    .await
}

pub async fn email_taken(conn: &mut PgConnection, email: &EmailAddress) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM users WHERE email = $1::text::citext) AS "taken!""#,
        email.as_str()
    )
    .fetch_one(conn)
    .await
}

pub struct NewUser<'a> {
    pub email: &'a EmailAddress,
    pub display_name: &'a str,
    pub role: Role,
    pub company_id: Option<Uuid>,
    pub password_hash: &'a Secret<String>,
}

pub async fn insert(conn: &mut PgConnection, user: NewUser<'_>) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO users (id, email, display_name, role, company_id, password_hash)
         VALUES ($1, $2::text::citext, $3, $4, $5, $6) RETURNING id",
        Uuid::new_v4(),
        user.email.as_str(),
        user.display_name,
        user.role as Role,
        user.company_id,
        user.password_hash.expose(),
    )
    .fetch_one(conn)
    .await
}

/// Creates a reviewer or admin unless the e-mail is taken; returns whether it did.
pub async fn create_staff(
    db: &PgPool,
    email: &EmailAddress,
    display_name: &str,
    role: Role,
    password_hash: &Secret<String>,
) -> sqlx::Result<bool> {
    let mut tx = db.begin().await?;
    if email_taken(&mut tx, email).await? {
        return Ok(false);
    }
    insert(
        &mut tx,
        NewUser {
            email,
            display_name,
            role,
            company_id: None,
            password_hash,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Sets a new password and ends every session signed in before now.
pub async fn set_password(
    conn: &mut PgConnection,
    user_id: Uuid,
    password_hash: &Secret<String>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET password_hash = $2, sessions_valid_after = now() WHERE id = $1",
        user_id,
        password_hash.expose()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Turns an account on or off, in the caller's transaction. Off also ends its sessions and
/// revokes its API tokens. `company_id` scopes the change when a partner does it; `None` is an
/// admin acting on anyone. Returns false when no such user is in scope.
pub async fn set_active(
    conn: &mut PgConnection,
    actor: Uuid,
    user_id: Uuid,
    company_id: Option<Uuid>,
    active: bool,
) -> sqlx::Result<bool> {
    let updated = sqlx::query!(
        "UPDATE users SET active = $3,
                sessions_valid_after = CASE WHEN $3 THEN sessions_valid_after ELSE now() END
         WHERE id = $1 AND ($2::uuid IS NULL OR company_id = $2)",
        user_id,
        company_id,
        active
    )
    .execute(&mut *conn)
    .await?;
    if !active && updated.rows_affected() == 1 {
        // Someone on their way out must not be able to come back through a pending invitation.
        sqlx::query!(
            "UPDATE invitations SET revoked_at = now()
             WHERE invited_by = $1 AND accepted_at IS NULL AND revoked_at IS NULL",
            user_id
        )
        .execute(&mut *conn)
        .await?;
        revoke_api_tokens(conn, Some(actor), user_id, "the account was deactivated").await?;
    }
    Ok(updated.rows_affected() == 1)
}

/// Revokes every live API token of a user whose access just changed (new password,
/// deactivation, new role), and audits how many, in the caller's transaction. A token carries the
/// access its owner had when it was made, so it must not outlive a change to that access.
pub async fn revoke_api_tokens(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
    user_id: Uuid,
    why: &str,
) -> sqlx::Result<u64> {
    let revoked = sqlx::query!(
        "UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
        user_id
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if revoked > 0 {
        let email = sqlx::query_scalar!(
            r#"SELECT email::text AS "email!" FROM users WHERE id = $1"#,
            user_id
        )
        .fetch_one(&mut *conn)
        .await?;
        crate::audit::record(
            conn,
            actor,
            None,
            "api_tokens_revoked",
            format!("{revoked} API token(s) of {email}: {why}"),
        )
        .await?;
    }
    Ok(revoked)
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Member {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: OffsetDateTime,
}

impl Member {
    pub fn joined(&self) -> String {
        crate::web::dates::short_date(self.created_at)
    }
}

pub async fn company_members(db: &PgPool, company_id: Uuid) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as!(
        Member,
        r#"SELECT id, email::text AS "email!", display_name, role AS "role: Role", active, created_at
           FROM users WHERE company_id = $1 ORDER BY active DESC, display_name"#,
        company_id
    )
    .fetch_all(db)
    .await
}

pub async fn staff_members(db: &PgPool) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as!(
        Member,
        r#"SELECT id, email::text AS "email!", display_name, role AS "role: Role", active, created_at
           FROM users WHERE role IN ('reviewer', 'admin') ORDER BY active DESC, role, display_name"#
    )
    .fetch_all(db)
    .await
}
