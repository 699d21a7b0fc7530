//! The e-mail a decision sends the partner's active users and the integration's SPOC: the outcome,
//! the reviewer's summary, and each comment it sent with a link to where it is answered.

use sqlx::PgConnection;

use super::comments::Published;
use crate::config::Config;
use crate::domain::model::Contacts;
use crate::domain::revision;
use crate::domain::workflow::{Action, Locked};
use crate::mail::{self, Email};

pub struct DecisionMail<'a> {
    pub locked: &'a Locked,
    pub action: Action,
    pub revision: i32,
    pub summary: &'a str,
    pub published: &'a [Published],
}

impl DecisionMail<'_> {
    pub async fn send(&self, conn: &mut PgConnection, config: &Config) -> sqlx::Result<()> {
        let recipients = recipients(conn, self.locked).await?;
        let snapshot = revision::snapshot(conn, self.locked.id, self.revision).await?;
        let mut items = String::new();
        for comment in self.published {
            let link = comment.anchor.partner_link(self.locked.id, comment.thread);
            items.push_str(&comment.mail_line(snapshot.as_ref(), &config.link(&link)));
        }
        let body = self.body(&items, config);
        let (subject, _) = self.outcome();
        for to in recipients {
            let email = Email {
                to,
                subject: format!("“{}” {subject}", self.locked.name),
                body: body.clone(),
            };
            mail::enqueue(conn, &email).await?;
        }
        Ok(())
    }

    fn outcome(&self) -> (&'static str, &'static str) {
        match self.action {
            Action::Approve => ("approved", "Haptik approved"),
            _ => ("needs changes", "Haptik's reviewer asked for changes to"),
        }
    }

    fn body(&self, items: &str, config: &Config) -> String {
        let (_, opening) = self.outcome();
        let summary = if self.summary.is_empty() {
            String::new()
        } else {
            format!("The reviewer wrote:\n{}\n\n", self.summary)
        };
        let comments = match self.published.len() {
            0 => String::new(),
            1 => format!("1 comment on a specific item, answered where it links to:\n{items}"),
            n => {
                format!("{n} comments on specific items, each answered where it links to:\n{items}")
            }
        };
        // With comments to answer, the overall link lands on the partner's to-do list of them.
        let todo = !self.published.is_empty() && self.action != Action::Approve;
        let link = format!(
            "/integrations/{}{}",
            self.locked.id,
            if todo { "#todo" } else { "" }
        );
        format!(
            "{opening} “{}”.\n\n{summary}Open it: {}\n\n{comments}",
            self.locked.name,
            config.link(&link)
        )
    }
}

/// The partner company's active users, and the integration's SPOC if not one of them.
async fn recipients(conn: &mut PgConnection, locked: &Locked) -> sqlx::Result<Vec<String>> {
    let mut recipients = sqlx::query_scalar!(
        r#"SELECT email::text AS "email!" FROM users WHERE company_id = $1 AND active"#,
        locked.company_id
    )
    .fetch_all(&mut *conn)
    .await?;
    // Decoded into the model, so a renamed field is a compile error here, not a silent NULL.
    let contacts = sqlx::query_scalar!(
        r#"SELECT data AS "data: sqlx::types::Json<Contacts>" FROM integration_sections
           WHERE integration_id = $1 AND section = 'contacts'"#,
        locked.id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let spoc = contacts.map(|sqlx::types::Json(contacts)| contacts.primary.email);
    if let Some(spoc) = spoc.filter(|e| !e.is_empty())
        && !recipients.iter().any(|r| r.eq_ignore_ascii_case(&spoc))
    {
        recipients.push(spoc);
    }
    Ok(recipients)
}
