//! A portal served on a loopback port, a client that keeps cookies like a browser, and fixtures.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use partner_portal::accounts::{EmailAddress, Role, users};
use partner_portal::config::Config;
use partner_portal::domain::password::Passwords;
use partner_portal::{AppState, app};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::redirect::Policy;
use reqwest::{Response, StatusCode};
use sqlx::PgPool;
use uuid::Uuid;

pub use crate::fixtures::*;

pub const PASSWORD: &str = "amber falcon river 2026";

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: PgPool,
    pub state: AppState,
}

impl TestApp {
    pub async fn spawn(db: PgPool) -> Self {
        Self::spawn_with(db, Config::default()).await
    }

    pub async fn spawn_with(db: PgPool, config: Config) -> Self {
        partner_portal::db::prepare(&db)
            .await
            .expect("schema prepares");
        let state = AppState::new(db.clone(), config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // The binary's own serving loop, so its connection limits are what the tests meet.
        let limits = partner_portal::server::ConnectionLimits::from(&*state.config);
        let router = app(state.clone());
        tokio::spawn(partner_portal::server::serve(
            listener,
            router,
            limits,
            std::future::pending(),
        ));
        TestApp { addr, db, state }
    }

    /// A new visitor with an empty cookie jar: one person's browser.
    pub fn browser(&self) -> Browser {
        Browser::new(format!("http://{}", self.addr))
    }

    pub async fn signed_in(&self, email: &str, password: &str) -> Browser {
        let browser = self.browser();
        let response = browser.login(email, password).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in of {email} should succeed"
        );
        browser
    }
}

pub struct Browser {
    pub base: String,
    pub jar: Arc<Jar>,
    pub client: reqwest::Client,
}

impl Browser {
    pub fn new(base: String) -> Self {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .unwrap();
        Browser { base, jar, client }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GET a page and return its status and HTML.
    pub async fn page(&self, path: &str) -> (StatusCode, String) {
        let response = self.get(path).await;
        let status = response.status();
        (status, response.text().await.unwrap())
    }

    /// A plain post that saved nothing answers with its page's address (post/redirect/get); the
    /// page then shows the form as typed, with its messages. Returns that page.
    pub async fn refused(&self, response: Response) -> String {
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "a plain post that saved nothing redirects to its page"
        );
        let (status, html) = self.page(&location(&response)).await;
        assert_eq!(status, StatusCode::OK);
        html
    }

    /// The CSRF token the portal put in this browser's forms.
    pub async fn csrf_token(&self) -> String {
        let (_, html) = self.page("/password/forgot").await;
        csrf_from(&html).expect("the page carries a CSRF token")
    }

    /// Submits a form the way a browser does: fields plus the page's CSRF token.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf_token().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf_token", &token));
        self.client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post_form("/login", &[("email", email), ("password", password)])
            .await
    }

    /// Signs in as if from `address` (a portal started with `trust_forwarded_for` believes it).
    pub async fn login_from(&self, email: &str, password: &str, address: &str) -> StatusCode {
        let token = self.csrf_token().await;
        self.client
            .post(self.url("/login"))
            .header("x-forwarded-for", address)
            .form(&[
                ("email", email),
                ("password", password),
                ("csrf_token", &token),
            ])
            .send()
            .await
            .unwrap()
            .status()
    }

    /// Posts the sign-in form with exactly this token (or none), without fetching one.
    pub async fn login_with_token(
        &self,
        email: &str,
        password: &str,
        token: Option<&str>,
    ) -> Response {
        let mut fields = vec![("email", email), ("password", password)];
        fields.extend(token.map(|token| ("csrf_token", token)));
        self.client
            .post(self.url("/login"))
            .form(&fields)
            .send()
            .await
            .unwrap()
    }

    pub fn session_cookie(&self) -> Option<String> {
        let url = self.base.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .unwrap()
            .split("; ")
            .find_map(|pair| pair.strip_prefix("portal_session=").map(str::to_owned))
    }
}

pub fn csrf_from(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_string())
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_string()
}

pub async fn create_company(db: &PgPool, name: &str) -> Uuid {
    sqlx::query_scalar("INSERT INTO companies (id, name) VALUES ($1, $2) RETURNING id")
        .bind(Uuid::new_v4())
        .bind(name)
        .fetch_one(db)
        .await
        .unwrap()
}

pub async fn create_user(db: &PgPool, email: &str, role: Role, company: Option<Uuid>) -> Uuid {
    let hash = Passwords::new().hash(PASSWORD.into()).await.unwrap();
    let email = EmailAddress::parse(email).unwrap();
    let mut conn = db.acquire().await.unwrap();
    users::insert(
        &mut conn,
        users::NewUser {
            email: &email,
            display_name: email.as_str().split('@').next().unwrap(),
            role,
            company_id: company,
            password_hash: &hash,
        },
    )
    .await
    .unwrap()
}

/// How many sessions the store holds.
pub async fn session_rows(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(db)
        .await
        .unwrap()
}

/// The path of the last link mailed to `to` (the outbox is where a user would read it).
pub async fn last_mailed_path(db: &PgPool, to: &str) -> String {
    let body = last_mail(db, to).await;
    let start = body
        .find("http://localhost:8080/")
        .expect("the e-mail has a link")
        + "http://localhost:8080".len();
    body[start..].split_whitespace().next().unwrap().to_string()
}

/// The text of the latest e-mail queued for `to`.
pub async fn last_mail(db: &PgPool, to: &str) -> String {
    sqlx::query_scalar(
        "SELECT body_text FROM outbox WHERE to_address = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(to)
    .fetch_one(db)
    .await
    .expect("an e-mail was queued")
}

pub async fn mail_count(db: &PgPool, to: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM outbox WHERE to_address = $1")
        .bind(to)
        .fetch_one(db)
        .await
        .unwrap()
}

/// A URL for the database `#[sqlx::test]` made, for starting real `portal` processes on it.
pub fn database_url(db: &PgPool) -> String {
    let options = db.connect_options();
    format!(
        "postgres://{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap()
    )
}

/// The text of HTML-escaped content, for comparing with what a user typed.
pub fn unescape(html: &str) -> String {
    html.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#60;", "<")
        .replace("&lt;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// SQL statements run while serving each request, keyed by its `x-request-id`. Installed once as
/// the test binary's global subscriber; the portal's request span carries the id.
pub mod query_count {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id};
    use tracing::{Event, Subscriber};
    use tracing_subscriber::layer::{Context, SubscriberExt};
    use tracing_subscriber::registry::LookupSpan;
    use tracing_subscriber::{EnvFilter, Layer};

    static COUNTS: OnceLock<Mutex<HashMap<String, usize>>> = OnceLock::new();

    struct RequestId(String);

    struct Counter;

    impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Counter {
        fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
            struct Find(Option<String>);
            impl Visit for Find {
                fn record_str(&mut self, field: &Field, value: &str) {
                    if field.name() == "request_id" {
                        self.0 = Some(value.to_string());
                    }
                }
                fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
            }
            let mut find = Find(None);
            attrs.record(&mut find);
            if let (Some(request), Some(span)) = (find.0, ctx.span(id)) {
                span.extensions_mut().insert(RequestId(request));
            }
        }

        fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
            if event.metadata().target() != "sqlx::query" {
                return;
            }
            // A new pool connection looks up types in pg_catalog once; that is not the page's work.
            struct Statement(bool);
            impl Visit for Statement {
                fn record_str(&mut self, _: &Field, value: &str) {
                    self.0 |= value.contains("pg_catalog");
                }
                fn record_debug(&mut self, _: &Field, value: &dyn std::fmt::Debug) {
                    self.0 |= format!("{value:?}").contains("pg_catalog");
                }
            }
            let mut statement = Statement(false);
            event.record(&mut statement);
            if statement.0 {
                return;
            }
            let Some(scope) = ctx.event_scope(event) else {
                return;
            };
            for span in scope {
                if let Some(RequestId(request)) = span.extensions().get::<RequestId>() {
                    *counts().lock().unwrap().entry(request.clone()).or_default() += 1;
                    return;
                }
            }
        }
    }

    fn counts() -> &'static Mutex<HashMap<String, usize>> {
        COUNTS.get_or_init(|| {
            let subscriber = tracing_subscriber::registry()
                .with(EnvFilter::new("partner_portal::web=info,sqlx::query=debug"))
                .with(Counter);
            tracing::subscriber::set_global_default(subscriber)
                .expect("no other global subscriber");
            Mutex::new(HashMap::new())
        })
    }

    pub fn install() {
        counts();
    }

    pub fn of(request: &str) -> usize {
        counts().lock().unwrap().get(request).copied().unwrap_or(0)
    }
}

/// Waits until `check` holds: what other instances learn by notice arrives a moment later.
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
