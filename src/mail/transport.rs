use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use uuid::Uuid;

use crate::config::{MailConfig, MailDelivery};

/// Where queued mail goes from this instance.
#[derive(Clone)]
pub enum Transport {
    Smtp {
        smtp: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
        /// The right-hand side of every Message-ID: the sender's domain.
        domain: String,
    },
    /// Development only (never with an https public URL): bodies hold working single-use links.
    Log,
}

pub struct Outgoing<'a> {
    /// The outbox row, from which the Message-ID is derived.
    pub id: Uuid,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

impl Transport {
    /// None when this instance is not one that delivers: it then leaves the outbox alone.
    pub fn from_config(config: &MailConfig) -> anyhow::Result<Option<Self>> {
        let url = match &config.delivery {
            MailDelivery::None => return Ok(None),
            MailDelivery::Log => return Ok(Some(Transport::Log)),
            MailDelivery::Smtp(url) => url,
        };
        let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .map_err(|err| anyhow::anyhow!("the SMTP URL is not usable: {err}"))?
            .build();
        let from: Mailbox = config.from.parse().map_err(|err| {
            anyhow::anyhow!("the sender address {:?} is not valid: {err}", config.from)
        })?;
        let domain = from.email.domain().to_string();
        Ok(Some(Transport::Smtp { smtp, from, domain }))
    }

    pub async fn send(&self, mail: Outgoing<'_>) -> anyhow::Result<()> {
        match self {
            Transport::Log => {
                tracing::info!(
                    to = mail.to,
                    subject = mail.subject,
                    body = mail.body,
                    "e-mail (development: logged instead of sent)"
                );
                Ok(())
            }
            Transport::Smtp { smtp, from, domain } => {
                let message = Message::builder()
                    .from(from.clone())
                    .to(mail.to.parse()?)
                    .subject(mail.subject)
                    .message_id(Some(message_id(mail.id, domain)))
                    .body(mail.body.to_string())?;
                smtp.send(message).await?;
                Ok(())
            }
        }
    }
}

/// The same for every attempt at one outbox row, so a message sent again after a crash (between
/// the SMTP server's acceptance and our commit) is recognisable as the same message.
pub fn message_id(outbox_id: Uuid, domain: &str) -> String {
    format!("<outbox.{outbox_id}@{domain}>")
}
