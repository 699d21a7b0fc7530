use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailConfig;

/// Where queued mail goes: an SMTP server, or the log when none is configured (development).
#[derive(Clone)]
pub enum Transport {
    Smtp {
        smtp: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Log,
}

pub struct Outgoing<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

impl Transport {
    pub fn from_config(config: &MailConfig) -> anyhow::Result<Self> {
        let Some(url) = &config.smtp_url else {
            return Ok(Transport::Log);
        };
        let smtp = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .map_err(|err| anyhow::anyhow!("the SMTP URL is not usable: {err}"))?
            .build();
        let from = config.from.parse().map_err(|err| {
            anyhow::anyhow!("the sender address {:?} is not valid: {err}", config.from)
        })?;
        Ok(Transport::Smtp { smtp, from })
    }

    pub async fn send(&self, mail: Outgoing<'_>) -> anyhow::Result<()> {
        match self {
            Transport::Log => {
                tracing::info!(
                    to = mail.to,
                    subject = mail.subject,
                    body = mail.body,
                    "e-mail (no SMTP configured, so logged instead of sent)"
                );
                Ok(())
            }
            Transport::Smtp { smtp, from } => {
                let message = Message::builder()
                    .from(from.clone())
                    .to(mail.to.parse()?)
                    .subject(mail.subject)
                    .body(mail.body.to_string())?;
                smtp.send(message).await?;
                Ok(())
            }
        }
    }
}
