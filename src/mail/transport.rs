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
    /// `with_body` only on a development setup: bodies hold working single-use links.
    Log { with_body: bool },
}

pub struct Outgoing<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

impl Transport {
    /// `deployed` (an https public URL) keeps message bodies out of the log when there is no SMTP.
    pub fn from_config(config: &MailConfig, deployed: bool) -> anyhow::Result<Self> {
        let Some(url) = &config.smtp_url else {
            if deployed {
                tracing::warn!(
                    "no SMTP server configured: e-mail is not delivered, only its recipient and subject are logged"
                );
            }
            return Ok(Transport::Log {
                with_body: !deployed,
            });
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
            Transport::Log { with_body: true } => {
                tracing::info!(
                    to = mail.to,
                    subject = mail.subject,
                    body = mail.body,
                    "e-mail (no SMTP configured, so logged instead of sent)"
                );
                Ok(())
            }
            Transport::Log { with_body: false } => {
                tracing::warn!(
                    to = mail.to,
                    subject = mail.subject,
                    "e-mail not delivered: no SMTP configured"
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
