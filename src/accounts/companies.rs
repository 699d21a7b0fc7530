use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Company {
    pub id: Uuid,
    pub name: String,
    pub partner_code: Option<String>,
    pub created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct CompanySummary {
    pub id: Uuid,
    pub name: String,
    pub partner_code: Option<String>,
    pub active_users: i64,
    pub pending_invitations: i64,
}

pub async fn find(db: &PgPool, id: Uuid) -> sqlx::Result<Option<Company>> {
    sqlx::query_as!(
        Company,
        "SELECT id, name, partner_code, created_at FROM companies WHERE id = $1",
        id
    )
    .fetch_optional(db)
    .await
}

pub async fn list(db: &PgPool) -> sqlx::Result<Vec<CompanySummary>> {
    sqlx::query_as!(
        CompanySummary,
        r#"SELECT c.id, c.name, c.partner_code,
                (SELECT count(*) FROM users u WHERE u.company_id = c.id AND u.active) AS "active_users!",
                (SELECT count(*) FROM invitations i WHERE i.company_id = c.id AND i.accepted_at IS NULL
                   AND i.revoked_at IS NULL AND i.expires_at > now()) AS "pending_invitations!"
           FROM companies c ORDER BY lower(c.name)"#
    )
    .fetch_all(db)
    .await
}

pub enum CreateOutcome {
    Created(Uuid),
    NameTaken,
}

pub async fn create(
    db: &PgPool,
    name: &str,
    partner_code: Option<&str>,
) -> sqlx::Result<CreateOutcome> {
    let inserted = sqlx::query_scalar!(
        "INSERT INTO companies (id, name, partner_code) VALUES ($1, $2, $3)
         ON CONFLICT ((lower(name))) DO NOTHING RETURNING id",
        Uuid::new_v4(),
        name,
        partner_code
    )
    .fetch_optional(db)
    .await?;
    Ok(match inserted {
        Some(id) => CreateOutcome::Created(id),
        None => CreateOutcome::NameTaken,
    })
}
