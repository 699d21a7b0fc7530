//! The `portal` command line: flags with environment fallbacks, and what each command does.

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use url::Url;

use crate::accounts::{EmailAddress, Role, users};
use crate::config::ProbeSettings;
use crate::config::StagingConfig;
use crate::config::{Config, DEFAULT_STATIC_DIR, MailConfig, MailDelivery, ThrottleConfig};
use crate::domain::egress::AddressPolicy;
use crate::domain::password::{self, Passwords};
use crate::domain::secret::Secret;
use crate::{db, demo, server};

#[derive(Parser, Debug)]
#[command(name = "portal", version, about = "Haptik partner portal")]
pub struct Cli {
    /// `portal` alone means `portal serve` with its defaults.
    #[command(subcommand)]
    pub command: Option<Command>,
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        default_value = "postgres://postgres:postgres@127.0.0.1:5432/partner_portal"
    )]
    pub database_url: String,
    #[arg(long, env = "PORTAL_LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the portal (the default).
    Serve(Box<ServeArgs>),
    /// Load the demo company, its users, a reviewer and an admin, print their logins, and exit.
    Demo,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Create complete integrations for benchmarks and load tests, and print their login.
    Seed(SeedArgs),
    /// Say which reminders are due at a moment, and to whom, without sending any.
    Reminders(RemindersArgs),
}

#[derive(Args, Debug)]
pub struct RemindersArgs {
    /// Only say who would get what (sending is not built yet, so this is required).
    #[arg(long, required = true)]
    pub dry_run: bool,
    /// The moment to evaluate, RFC 3339 (e.g. 2026-12-14T09:00:00Z); now if left out.
    #[arg(long, value_parser = parse_moment)]
    pub at: Option<time::OffsetDateTime>,
}

fn parse_moment(text: &str) -> Result<time::OffsetDateTime, String> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339)
        .map_err(|_| "must be an RFC 3339 moment, e.g. 2026-12-14T09:00:00Z".to_string())
}

#[derive(Args, Debug)]
pub struct SeedArgs {
    #[arg(long, default_value_t = 1)]
    pub integrations: usize,
    #[arg(long, default_value_t = 50)]
    pub endpoints: usize,
    /// Instead: a review queue of this many submissions across many partners.
    #[arg(long)]
    pub queue: Option<usize>,
    /// Reviewers for --queue.
    #[arg(long, default_value_t = 100)]
    pub reviewers: usize,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a Haptik reviewer or admin; partner users are invited from the portal.
    Create(CreateUserArgs),
}

#[derive(Args, Debug)]
pub struct CreateUserArgs {
    #[arg(long, value_enum)]
    pub role: StaffRole,
    #[arg(long)]
    pub email: String,
    /// Shown in the portal; defaults to the part of the e-mail before the @.
    #[arg(long)]
    pub name: Option<String>,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum StaffRole {
    Admin,
    Reviewer,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Parser, Debug, Clone)]
pub struct ServeArgs {
    #[arg(long, env = "PORTAL_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// The address users type; used for links in e-mail. https turns on Secure cookies and HSTS.
    #[arg(
        long,
        env = "PORTAL_PUBLIC_URL",
        default_value = "http://localhost:8080"
    )]
    pub public_url: Url,
    /// Load demo data before serving.
    #[arg(long)]
    pub demo: bool,
    /// e.g. smtp://mailpit:1025 or smtps://user:password@smtp.example.com. Without it (and without
    /// --mail-log) this instance queues e-mail but leaves delivery to an instance that has one.
    #[arg(long, env = "PORTAL_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Development: write e-mail, links included, to the log instead of sending it. Refused with
    /// an https public URL. --demo turns it on.
    #[arg(long, env = "PORTAL_MAIL_LOG", conflicts_with = "smtp_url")]
    pub mail_log: bool,
    #[arg(
        long,
        env = "PORTAL_MAIL_FROM",
        default_value = "Partner Portal <portal@localhost>"
    )]
    pub mail_from: String,
    /// Take the client address from X-Forwarded-For (only behind a proxy that sets it).
    #[arg(long, env = "PORTAL_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,
    /// 1 to 10080 (a week).
    #[arg(long, env = "PORTAL_SESSION_IDLE_MINUTES", default_value_t = 120, value_parser = within(1, 10_080))]
    pub session_idle_minutes: u64,
    /// 1 to 720 (30 days).
    #[arg(long, env = "PORTAL_SESSION_ABSOLUTE_HOURS", default_value_t = 12, value_parser = within(1, 720))]
    pub session_absolute_hours: u64,
    /// 1 to 600.
    #[arg(long, env = "PORTAL_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = within(1, 600))]
    pub request_timeout_secs: u64,
    /// 16 to 65536 (64 MiB).
    #[arg(long, env = "PORTAL_MAX_BODY_KIB", default_value_t = 2048, value_parser = within(16, 65_536))]
    pub max_body_kib: u64,
    /// 1 to 10000 connections served at once; more wait in the kernel's queue.
    #[arg(long, env = "PORTAL_MAX_CONNECTIONS", default_value_t = 1024, value_parser = within(1, 10_000))]
    pub max_connections: u64,
    /// Where the vendored CSS and JavaScript are (the Docker image puts them in /srv/portal/static).
    #[arg(long, env = "PORTAL_STATIC_DIR", default_value = DEFAULT_STATIC_DIR)]
    pub static_dir: PathBuf,
    /// Address ranges staging checks refuse, comma-separated; replaces the built-in list of
    /// loopback, private, link-local, CGNAT, multicast, reserved and similar ranges.
    #[arg(long, env = "PORTAL_STAGING_BLOCKED", value_parser = parse_networks)]
    pub staging_blocked: Option<Networks>,
    /// Exceptions to the blocked ranges, e.g. 127.0.0.1 for a local test server. Cloud metadata
    /// addresses stay refused whatever this says.
    #[arg(long, env = "PORTAL_STAGING_ALLOWED", value_parser = parse_networks)]
    pub staging_allowed: Option<Networks>,
    /// 1 to 10000.
    #[arg(
        long,
        env = "PORTAL_STAGING_CHECKS_PER_USER_HOURLY",
        default_value_t = 60,
        value_parser = within(1, 10_000)
    )]
    pub staging_checks_per_user_hourly: u64,
    /// 1 to 10000.
    #[arg(
        long,
        env = "PORTAL_STAGING_CHECKS_PER_INTEGRATION_HOURLY",
        default_value_t = 120,
        value_parser = within(1, 10_000)
    )]
    pub staging_checks_per_integration_hourly: u64,
    /// Mock calls per second each key or token may make on one instance; 1 to 1000000.
    #[arg(
        long,
        env = "PORTAL_MOCK_CALLS_PER_SECOND",
        default_value_t = 50,
        value_parser = within(1, 1_000_000)
    )]
    pub mock_calls_per_second: u64,
}

/// A whole number in `min..=max`; anything else stops start-up with one line saying the range.
/// Zero durations would end every sign-in or request at once, and huge ones overflow.
fn within(min: u64, max: u64) -> impl Fn(&str) -> Result<u64, String> + Clone {
    move |text: &str| {
        text.trim()
            .parse::<u64>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| format!("must be a whole number from {min} to {max}"))
    }
}

#[derive(Clone, Debug)]
pub struct Networks(Vec<ipnet::IpNet>);

fn parse_networks(text: &str) -> Result<Networks, String> {
    AddressPolicy::parse_list(text).map(Networks)
}

impl ServeArgs {
    /// The settings, or the one line that says why they cannot run.
    pub fn config(&self) -> anyhow::Result<Config> {
        let delivery = match (&self.smtp_url, self.mail_log || self.demo) {
            (Some(url), _) => MailDelivery::Smtp(Secret::new(url.clone())),
            (None, true) => MailDelivery::Log,
            (None, false) => MailDelivery::None,
        };
        if matches!(delivery, MailDelivery::Log) && self.public_url.scheme() == "https" {
            anyhow::bail!(
                "--mail-log writes sign-in links to the log; it is refused when the public URL is https (give --smtp-url)"
            );
        }
        Ok(Config {
            public_url: self.public_url.clone(),
            session_idle: Duration::from_secs(self.session_idle_minutes * 60),
            session_absolute: Duration::from_secs(self.session_absolute_hours * 3600),
            trust_forwarded_for: self.trust_forwarded_for,
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            max_body_bytes: self.max_body_kib as usize * 1024,
            max_connections: self.max_connections as usize,
            header_read_timeout: Duration::from_secs(10),
            max_upload_bytes: Config::default().max_upload_bytes,
            throttle: ThrottleConfig::default(),
            mail: MailConfig {
                delivery,
                from: self.mail_from.clone(),
                poll_interval: Duration::from_secs(2),
            },
            static_dir: self.static_dir.clone(),
            staging: StagingConfig {
                probe: ProbeSettings {
                    policy: AddressPolicy::new(
                        self.staging_blocked.clone().map(|n| n.0),
                        self.staging_allowed
                            .clone()
                            .map(|n| n.0)
                            .unwrap_or_default(),
                    ),
                    ..ProbeSettings::default()
                },
                per_user_hourly: self.staging_checks_per_user_hourly as i64,
                per_integration_hourly: self.staging_checks_per_integration_hourly as i64,
                ..StagingConfig::default()
            },
            mock_calls_per_second: self.mock_calls_per_second as u32,
        })
    }
}

pub async fn run(cli: Cli) -> ExitCode {
    init_tracing(cli.log_format);
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("portal: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn execute(cli: Cli) -> anyhow::Result<()> {
    let command = match cli.command {
        // Parsed from nothing but the environment, so PORTAL_* variables still apply.
        None => Command::Serve(Box::new(ServeArgs::parse_from(["serve"]))),
        Some(command) => command,
    };
    // Settings are checked before anything connects, so a wrong one is the only line printed.
    if let Command::Serve(args) = &command {
        args.config()?;
    }
    let pool = db::connect(&cli.database_url).await?;
    db::prepare(&pool).await?;
    match command {
        Command::Serve(args) => serve(pool, *args).await,
        Command::Demo => {
            demo::load(&pool, &Passwords::new()).await?;
            Ok(())
        }
        Command::User(UserCommand::Create(args)) => create_user(&pool, args).await,
        Command::Seed(args) if args.queue.is_some() => {
            let size = args.queue.unwrap_or_default();
            crate::seed::queue(&pool, size, args.reviewers).await?;
            println!(
                "Seeded a review queue of {size} submissions and {} reviewers. Sign in as {} / {}",
                args.reviewers,
                crate::seed::REVIEWER_LOGIN,
                crate::seed::PASSWORD
            );
            Ok(())
        }
        Command::Reminders(args) => {
            let at = args.at.unwrap_or_else(time::OffsetDateTime::now_utc);
            let due = crate::chasing::due_at(&pool, at).await?;
            println!(
                "{} reminders due at {}:",
                due.len(),
                crate::web::dates::date_time(at)
            );
            for reminder in due {
                println!("{}", reminder.line());
            }
            Ok(())
        }
        Command::Seed(args) => {
            let seeded = crate::seed::run(&pool, args.integrations, args.endpoints).await?;
            println!(
                "Seeded {} integrations of {} endpoints for {}. Sign in as {} / {}",
                seeded.integrations.len(),
                args.endpoints,
                crate::seed::COMPANY,
                crate::seed::LOGIN,
                crate::seed::PASSWORD
            );
            for id in seeded.integrations.iter().take(3) {
                println!("  /integrations/{id}");
            }
            Ok(())
        }
    }
}

async fn serve(pool: sqlx::PgPool, args: ServeArgs) -> anyhow::Result<()> {
    let config = args.config()?;
    if args.demo {
        if config.secure_cookies() {
            anyhow::bail!(
                "--demo loads accounts with published passwords; it is refused when the public URL is https"
            );
        }
        demo::load(&pool, &Passwords::new()).await?;
    }
    server::run(pool, config, args.bind).await
}

async fn create_user(pool: &sqlx::PgPool, args: CreateUserArgs) -> anyhow::Result<()> {
    let email = EmailAddress::parse(&args.email).map_err(anyhow::Error::msg)?;
    let name = args
        .name
        .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or("").to_string());
    let role = match args.role {
        StaffRole::Admin => Role::Admin,
        StaffRole::Reviewer => Role::Reviewer,
    };
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        if std::io::stdin().is_terminal() {
            eprintln!("Password:");
        }
        std::io::stdin().lock().read_line(&mut line)?;
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        password::check_policy(&line, &[email.as_str(), &name]).map_err(anyhow::Error::msg)?;
        (line, false)
    } else {
        (password::generate(), true)
    };
    let hash = Passwords::new().hash(password.clone()).await?;
    let created = users::create_staff(pool, &email, &name, role, &hash).await?;
    if !created {
        anyhow::bail!("a user with the e-mail {email} already exists");
    }
    println!("Created {} {email}.", role.label().to_lowercase());
    if generated {
        println!("Password (shown once): {password}");
    }
    Ok(())
}

fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    // `try_init` because tests may call this more than once in one process.
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}
