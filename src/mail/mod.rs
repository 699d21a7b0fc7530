//! Outgoing e-mail. Handlers queue messages in the outbox inside their own transaction, so a
//! message exists exactly when the event that caused it was committed; `worker` delivers them.
//! Bodies carry single-use links, so the worker blanks a body once it is sent or given up on.

pub mod transport;
pub mod worker;

use sqlx::PgConnection;
use uuid::Uuid;

pub struct Email {
    pub to: String,
    pub subject: String,
    pub body: String,
}

pub async fn enqueue(conn: &mut PgConnection, email: &Email) -> sqlx::Result<Uuid> {
    sqlx::query_scalar!(
        "INSERT INTO outbox (id, to_address, subject, body_text) VALUES ($1, $2, $3, $4) RETURNING id",
        Uuid::new_v4(),
        email.to,
        email.subject,
        email.body,
    )
    .fetch_one(conn)
    .await
}
