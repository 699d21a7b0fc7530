//! Settings the portal runs with, gathered from the command line and environment by `cli`.

use std::path::PathBuf;
use std::time::Duration;

use url::Url;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use rustls::RootCertStore;

use crate::domain::egress::AddressPolicy;
use crate::domain::secret::Secret;

/// The largest file an import accepts.
pub const MAX_IMPORT_BYTES: usize = 5 * 1024 * 1024;

pub const DEFAULT_STATIC_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/static");

#[derive(Clone, Debug)]
pub struct Config {
    /// Where users reach the portal; links in e-mail point here, and https here turns on Secure cookies and HSTS.
    pub public_url: Url,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// Only behind a proxy that sets X-Forwarded-For; otherwise clients could pick their own address.
    pub trust_forwarded_for: bool,
    pub request_timeout: Duration,
    pub max_body_bytes: usize,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// A client must send a whole request head within this.
    pub header_read_timeout: Duration,
    /// For the routes that take a whole file (imports): the file's limit and the form around it.
    pub max_upload_bytes: usize,
    pub throttle: ThrottleConfig,
    pub mail: MailConfig,
    /// The vendored CSS and JavaScript; the source tree's `static/` unless deployed elsewhere.
    pub static_dir: PathBuf,
    /// Where live checks of partners' staging endpoints may go, how long they wait, how often.
    pub staging: StagingConfig,
    /// Mock calls per second each caller may make on one instance (a burst of twice that).
    pub mock_calls_per_second: u32,
}

#[derive(Clone, Debug)]
pub struct ThrottleConfig {
    /// Failed sign-ins for one e-mail address from one client address before that pair is locked.
    pub account_free_failures: i32,
    /// Failed sign-ins for one e-mail address from anywhere before each attempt is slowed (never
    /// refused: a lock here would let anyone lock the owner out).
    pub account_slow_after: i32,
    pub slow_delay: Duration,
    pub max_slow_delay: Duration,
    /// Failed sign-ins from one client address before delays start.
    pub address_free_failures: i32,
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Failures older than this are forgotten.
    pub window: Duration,
}

#[derive(Clone, Debug)]
pub struct MailConfig {
    pub delivery: MailDelivery,
    pub from: String,
    pub poll_interval: Duration,
}

/// What this instance does with the outbox.
#[derive(Clone, Debug)]
pub enum MailDelivery {
    /// Sends through this server: `smtp://host:port`, `smtps://user:pass@host` ...
    Smtp(Secret<String>),
    /// Development only: writes each message, link included, to the log instead of sending it.
    /// Refused with an https public URL.
    Log,
    /// Leaves the outbox to an instance that can deliver, so none of it is lost here.
    None,
}

impl Config {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The address of an integration's mock, which bot builders call instead of staging.
    pub fn mock_base_url(&self, integration: uuid::Uuid) -> String {
        self.link(&format!("/mock/{integration}"))
    }

    /// An absolute link to a path of the portal, for e-mails.
    pub fn link(&self, path: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}{path}")
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            public_url: Url::parse("http://localhost:8080").expect("static URL parses"),
            session_idle: Duration::from_secs(2 * 60 * 60),
            session_absolute: Duration::from_secs(12 * 60 * 60),
            trust_forwarded_for: false,
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 2 * 1024 * 1024,
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            max_upload_bytes: MAX_IMPORT_BYTES + 256 * 1024,
            throttle: ThrottleConfig::default(),
            mail: MailConfig {
                delivery: MailDelivery::None,
                from: "Partner Portal <portal@localhost>".into(),
                poll_interval: Duration::from_secs(2),
            },
            static_dir: PathBuf::from(DEFAULT_STATIC_DIR),
            staging: StagingConfig::default(),
            mock_calls_per_second: 50,
        }
    }
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            account_free_failures: 5,
            account_slow_after: 20,
            slow_delay: Duration::from_secs(1),
            max_slow_delay: Duration::from_secs(5),
            address_free_failures: 50,
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(15 * 60),
            window: Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// Where live checks of partners' staging endpoints may go, how long they wait, how often.
#[derive(Clone, Debug)]
pub struct StagingConfig {
    pub probe: ProbeSettings,
    /// Haptik's bots give up after about this long; slower answers fail the check.
    pub slow_after: Duration,
    pub per_user_hourly: i64,
    pub per_integration_hourly: i64,
}

impl Default for StagingConfig {
    fn default() -> Self {
        Self {
            probe: ProbeSettings::default(),
            slow_after: Duration::from_secs(5),
            per_user_hourly: 60,
            per_integration_hourly: 120,
        }
    }
}

/// How checks reach the network. Tests replace the trusted roots and resolve their own names.
#[derive(Clone)]
pub struct ProbeSettings {
    pub policy: AddressPolicy,
    /// Mozilla's roots by default, through `webpki-roots`.
    pub roots: Arc<RootCertStore>,
    /// Names answered without DNS, like curl's `--resolve`; the answers still pass the policy.
    pub resolve: HashMap<String, Vec<IpAddr>>,
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
    pub max_body_bytes: usize,
}

impl std::fmt::Debug for ProbeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeSettings")
            .field("policy", &self.policy)
            .field("roots", &self.roots.len())
            .field("resolve", &self.resolve)
            .field("connect_timeout", &self.connect_timeout)
            .field("total_timeout", &self.total_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl Default for ProbeSettings {
    fn default() -> Self {
        Self {
            policy: AddressPolicy::default(),
            roots: Arc::new(RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            }),
            resolve: HashMap::new(),
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(15),
            max_body_bytes: 1024 * 1024,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_leak_through_debug() {
        let secret = Secret::new("smtp://user:hunter2@mail".to_string());
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }

    #[test]
    fn links_join_without_double_slashes() {
        let config = Config {
            public_url: Url::parse("https://portal.example/").unwrap(),
            ..Config::default()
        };
        assert_eq!(config.link("/login"), "https://portal.example/login");
        assert!(config.secure_cookies());
    }
}
