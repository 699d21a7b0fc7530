//! Running checks: what a viewer may check, the rate limits, the stored result and its audit
//! event, and "check all" in the background. Pages and the audit log see only reports; the typed
//! credential values live in `OneTimeValues` for the length of a check and nowhere else.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::plan::{Plan, Scenario, Variation};
use super::probe::{self, Outgoing};
use super::report::Report;
use crate::AppState;
use crate::accounts::{Role, User};
use crate::config::StagingConfig;
use crate::domain::egress;
use crate::domain::integration;
use crate::domain::model::{EndpointSpec, Sections};
use crate::domain::revision;
use crate::web::{AppError, Result};

/// Values typed into the one-time fields, by placeholder name. Never serialised, never logged.
#[derive(Clone, Default)]
pub struct OneTimeValues(pub Vec<(String, String)>);

impl std::fmt::Debug for OneTimeValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OneTimeValues({} redacted)", self.0.len())
    }
}

/// What a viewer checks: a partner their draft, Haptik staff the latest submitted revision.
pub struct Subject {
    pub integration_id: Uuid,
    pub name: String,
    pub revision: Option<i32>,
    pub sections: Sections,
    pub endpoints: Vec<(Uuid, EndpointSpec)>,
}

impl Subject {
    pub fn endpoint(&self, id: Uuid) -> Result<&EndpointSpec> {
        self.endpoints
            .iter()
            .find(|(eid, _)| *eid == id)
            .map(|(_, spec)| spec)
            .ok_or(AppError::NotFound)
    }
}

pub async fn subject(state: &AppState, viewer: &User, id: Uuid) -> Result<Subject> {
    match viewer.role {
        Role::Partner => {
            let company = viewer.company_id.ok_or(AppError::Forbidden)?;
            let loaded = integration::load(&mut *state.db.acquire().await?, id, Some(company))
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Subject {
                integration_id: id,
                name: loaded.integration.name.clone(),
                revision: None,
                sections: loaded.sections.clone(),
                endpoints: loaded
                    .endpoints
                    .iter()
                    .map(|e| (e.id, e.spec.0.clone()))
                    .collect(),
            })
        }
        Role::Reviewer | Role::Admin => {
            let (number, snapshot) = revision::latest(&mut *state.db.acquire().await?, id)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(Subject {
                integration_id: id,
                name: snapshot.name,
                revision: Some(number),
                sections: snapshot.sections,
                endpoints: snapshot
                    .endpoints
                    .into_iter()
                    .map(|e| (e.id, e.spec))
                    .collect(),
            })
        }
    }
}

/// Why a check did not start.
#[derive(Debug)]
pub enum NotStarted {
    /// The endpoint lacks what a check needs; says what.
    Incomplete(String),
    RateLimited(String),
    Busy(String),
    Failed(AppError),
}

impl From<sqlx::Error> for NotStarted {
    fn from(err: sqlx::Error) -> Self {
        NotStarted::Failed(err.into())
    }
}

// A run is in flight while it is unfinished and its task has beaten within 5 minutes; the
// queries below say so in those words.

/// Takes the integration's lock and refuses when `planned` more checks would pass a limit.
/// The partner's side and Haptik's each have the integration's allowance, so neither can use up
/// the other's.
async fn within_limits(
    tx: &mut sqlx::PgConnection,
    config: &StagingConfig,
    subject: &Subject,
    actor: Uuid,
    planned: i64,
) -> std::result::Result<(), NotStarted> {
    let integration = subject.integration_id;
    let partner_side = subject.revision.is_none();
    sqlx::query!(
        "SELECT 1 AS locked FROM integrations WHERE id = $1 FOR UPDATE",
        integration
    )
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query!(
        "SELECT pg_advisory_xact_lock(hashtextextended('staging-checks:' || $1::uuid::text, 0))",
        actor
    )
    .fetch_one(&mut *tx)
    .await?;
    let counts = sqlx::query!(
        r#"SELECT
             (SELECT count(*) FROM staging_checks WHERE checked_by = $1 AND checked_at > now() - interval '1 hour')
           + (SELECT coalesce(sum(total - done), 0) FROM staging_runs WHERE started_by = $1
                AND finished_at IS NULL AND heartbeat_at > now() - interval '5 minutes')::bigint AS "by_user!",
             (SELECT count(*) FROM staging_checks c JOIN users u ON u.id = c.checked_by
              WHERE c.integration_id = $2 AND (u.role = 'partner') = $3 AND c.checked_at > now() - interval '1 hour')
           + (SELECT coalesce(sum(total - done), 0) FROM staging_runs r JOIN users u ON u.id = r.started_by
              WHERE r.integration_id = $2 AND (u.role = 'partner') = $3
                AND r.finished_at IS NULL AND r.heartbeat_at > now() - interval '5 minutes')::bigint AS "by_integration!""#,
        actor,
        integration,
        partner_side
    )
    .fetch_one(&mut *tx)
    .await?;
    let (by_user, by_integration) = (counts.by_user, counts.by_integration);
    if by_user + planned > config.per_user_hourly {
        return Err(NotStarted::RateLimited(format!(
            "You have run {by_user} staging checks in the last hour; the limit is {} an hour. Try again later.",
            config.per_user_hourly
        )));
    }
    if by_integration + planned > config.per_integration_hourly {
        return Err(NotStarted::RateLimited(format!(
            "This integration's staging was checked {by_integration} times in the last hour by {}; the limit is {} an hour. Try again later.",
            if partner_side {
                "the partner's team"
            } else {
                "Haptik"
            },
            config.per_integration_hourly
        )));
    }
    Ok(())
}

/// Records the check as running, and in the audit log, before any request goes out: a check
/// whose page is closed mid-way is still on record.
async fn insert_running(
    conn: &mut sqlx::PgConnection,
    subject: &Subject,
    endpoint: Uuid,
    spec: &EndpointSpec,
    scenario: &Scenario,
    target: &str,
    actor: Uuid,
) -> sqlx::Result<Uuid> {
    let id = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO staging_checks (id, integration_id, endpoint_id, scenario, revision, fingerprint, checked_by, verdict, target)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'running', $8)",
        id,
        subject.integration_id,
        endpoint,
        scenario.key(),
        subject.revision,
        crate::domain::fingerprint::staging_fingerprint(&subject.sections, spec),
        actor,
        target
    )
    .execute(&mut *conn)
    .await?;
    let what = match scenario {
        Scenario::Success => target.to_string(),
        Scenario::Error(key) => format!("{target} (error {key})"),
    };
    crate::audit::record(
        conn,
        Some(actor),
        Some(subject.integration_id),
        "staging_check",
        what,
    )
    .await?;
    Ok(id)
}

/// Checks one endpoint now and returns what was found.
pub async fn check_one(
    state: &AppState,
    subject: &Subject,
    endpoint: Uuid,
    scenario: &Scenario,
    variation: &Variation,
    values: &OneTimeValues,
    actor: Uuid,
) -> std::result::Result<Report, NotStarted> {
    let spec = subject.endpoint(endpoint).map_err(NotStarted::Failed)?;
    let plan = Plan::build(&subject.sections, spec, scenario, variation)
        .map_err(NotStarted::Incomplete)?;
    let config = &state.config.staging;
    let mut tx = state.db.begin().await?;
    within_limits(&mut tx, config, subject, actor, 1).await?;
    let id = insert_running(
        &mut tx,
        subject,
        endpoint,
        spec,
        scenario,
        &plan.target(),
        actor,
    )
    .await?;
    tx.commit().await?;
    // Spawned, so a visitor who closes the page does not cut the check off before its report
    // is stored; the handler waits for it all the same.
    let task = tokio::spawn({
        let (state, plan, values) = (state.clone(), plan.clone(), values.clone());
        async move { perform(&state, id, &plan, &values).await }
    });
    match task.await {
        Ok(report) => Ok(report?),
        Err(err) => Err(NotStarted::Failed(
            anyhow::anyhow!("staging check task: {err}").into(),
        )),
    }
}

/// Sends the request (unless the policy refuses it), judges it and stores the report.
async fn perform(
    state: &AppState,
    id: Uuid,
    plan: &Plan,
    values: &OneTimeValues,
) -> sqlx::Result<Report> {
    let config = &state.config.staging;
    let target = plan.target();
    let (url, headers, body) = plan.fill(&values.0);
    let allowed_ports = allowed_ports(&state.db).await?;
    let mut report = match egress::target(&url, |host, port| {
        allowed_ports.iter().any(|(h, p)| h == host && *p == port)
    }) {
        Err(why) => Report::refused(target, &why),
        Ok(checked) => {
            let observed = probe::run(
                &config.probe,
                Outgoing {
                    method: plan.method.clone(),
                    target: checked,
                    headers,
                    body,
                },
            )
            .await;
            super::report::judge(
                target,
                &observed,
                &plan.expectation(config.slow_after),
                OffsetDateTime::now_utc(),
            )
        }
    };
    report.scrub(&values.0);
    tracing::info!(check = %id, target = %report.target, verdict = report.verdict().as_str(), "staging check finished");
    sqlx::query!(
        "UPDATE staging_checks SET verdict = $2, report = $3 WHERE id = $1",
        id,
        report.verdict().as_str(),
        sqlx::types::Json(&report) as _
    )
    .execute(&state.db)
    .await?;
    Ok(report)
}

async fn allowed_ports(db: &PgPool) -> sqlx::Result<Vec<(String, u16)>> {
    let rows = sqlx::query!("SELECT host, port FROM staging_ports")
        .fetch_all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| Some((row.host, u16::try_from(row.port).ok()?)))
        .collect())
}

/// Starts checking every endpoint's success example, one after another, in the background.
pub async fn start_all(
    state: &AppState,
    subject: Subject,
    values: OneTimeValues,
    actor: Uuid,
) -> std::result::Result<Uuid, NotStarted> {
    let plans: Vec<(Uuid, Plan)> = subject
        .endpoints
        .iter()
        .filter_map(|(id, spec)| {
            Plan::build(
                &subject.sections,
                spec,
                &Scenario::Success,
                &Variation::default(),
            )
            .ok()
            .map(|plan| (*id, plan))
        })
        .collect();
    if plans.is_empty() {
        return Err(NotStarted::Incomplete(
            "No endpoint can be checked yet: each needs a method and a path, and the integration a staging base URL.".into(),
        ));
    }
    let config = &state.config.staging;
    let mut tx = state.db.begin().await?;
    within_limits(&mut tx, config, &subject, actor, plans.len() as i64).await?;
    let running = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM staging_runs WHERE integration_id = $1
             AND finished_at IS NULL AND heartbeat_at > now() - interval '5 minutes') AS "running!""#,
        subject.integration_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if running {
        return Err(NotStarted::Busy(
            "A check of all endpoints is already running; its results appear below as they come in.".into(),
        ));
    }
    let run = Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO staging_runs (id, integration_id, started_by, total) VALUES ($1, $2, $3, $4)",
        run,
        subject.integration_id,
        actor,
        plans.len() as i32
    )
    .execute(&mut *tx)
    .await?;
    crate::audit::record(
        &mut tx,
        Some(actor),
        Some(subject.integration_id),
        "staging_check_all",
        format!("{} endpoints", plans.len()),
    )
    .await?;
    tx.commit().await?;
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(err) = run_all(&state, &subject, run, plans, &values, actor).await {
            tracing::warn!(%err, %run, "a staging check run stopped early");
        }
    });
    Ok(run)
}

async fn run_all(
    state: &AppState,
    subject: &Subject,
    run: Uuid,
    plans: Vec<(Uuid, Plan)>,
    values: &OneTimeValues,
    actor: Uuid,
) -> sqlx::Result<()> {
    for (endpoint, plan) in plans {
        let Ok(spec) = subject.endpoint(endpoint) else {
            continue;
        };
        let mut tx = state.db.begin().await?;
        let id = insert_running(
            &mut tx,
            subject,
            endpoint,
            spec,
            &Scenario::Success,
            &plan.target(),
            actor,
        )
        .await?;
        tx.commit().await?;
        perform(state, id, &plan, values).await?;
        sqlx::query!(
            "UPDATE staging_runs SET done = done + 1, heartbeat_at = now() WHERE id = $1",
            run
        )
        .execute(&state.db)
        .await?;
    }
    sqlx::query!(
        "UPDATE staging_runs SET finished_at = now() WHERE id = $1",
        run
    )
    .execute(&state.db)
    .await?;
    Ok(())
}
