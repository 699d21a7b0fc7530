//! Stored checks as pages show them: the latest per endpoint and scenario, an endpoint's
//! history, and the "check all" run in progress.

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::report::{Report, Verdict};

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct CheckRow {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub scenario: String,
    pub revision: Option<i32>,
    pub fingerprint: String,
    pub checked_at: OffsetDateTime,
    pub verdict: String,
    pub target: String,
    pub report: sqlx::types::Json<Report>,
    pub checked_by: Option<String>,
}

impl CheckRow {
    pub fn verdict(&self) -> Option<Verdict> {
        Verdict::parse(&self.verdict)
    }

    /// "Passed", "Failed", … or "Running" / "Interrupted" for a check without a result.
    pub fn label(&self) -> &'static str {
        match self.verdict() {
            Some(v) => v.label(),
            None if self.interrupted() => "Interrupted",
            None => "Running",
        }
    }

    /// For CSS: pass, warn, fail, refused, running.
    pub fn css(&self) -> &str {
        if self.interrupted() {
            "fail"
        } else {
            &self.verdict
        }
    }

    fn interrupted(&self) -> bool {
        self.verdict == "running"
            && OffsetDateTime::now_utc() - self.checked_at > time::Duration::minutes(5)
    }

    pub fn ago(&self) -> String {
        ago(self.checked_at, OffsetDateTime::now_utc())
    }

    pub fn when(&self) -> String {
        crate::web::dates::date_time(self.checked_at)
    }

    pub fn who(&self) -> &str {
        self.checked_by.as_deref().unwrap_or("a former user")
    }

    /// The endpoint as it is now differs from what was checked.
    pub fn outdated(&self, current_fingerprint: &str) -> bool {
        self.fingerprint != current_fingerprint
    }

    pub fn of_draft(&self) -> bool {
        self.revision.is_none()
    }

    pub fn revision_number(&self) -> i32 {
        self.revision.unwrap_or_default()
    }
}

/// "just now", "5 minutes ago", "3 hours ago", "1 day ago", "12 days ago".
pub fn ago(then: OffsetDateTime, now: OffsetDateTime) -> String {
    let elapsed = now - then;
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    if elapsed.whole_minutes() < 1 {
        "just now".into()
    } else if elapsed.whole_hours() < 1 {
        plural(elapsed.whole_minutes(), "minute")
    } else if elapsed.whole_days() < 1 {
        plural(elapsed.whole_hours(), "hour")
    } else {
        plural(elapsed.whole_days(), "day")
    }
}

/// The latest finished check of every endpoint and scenario of an integration. The latest ids
/// come first, from the index alone; then only those rows.
pub async fn latest<'e>(
    db: impl sqlx::PgExecutor<'e>,
    integration: Uuid,
) -> sqlx::Result<Vec<CheckRow>> {
    sqlx::query_as!(
        CheckRow,
        r#"WITH latest AS (
             SELECT DISTINCT ON (endpoint_id, scenario) id FROM staging_checks
             WHERE integration_id = $1 AND verdict <> 'running'
             ORDER BY endpoint_id, scenario, checked_at DESC)
           SELECT c.id, c.endpoint_id, c.scenario, c.revision, c.fingerprint, c.checked_at, c.verdict,
                  c.target, c.report AS "report: sqlx::types::Json<Report>",
                  u.display_name AS "checked_by?"
           FROM latest JOIN staging_checks c ON c.id = latest.id LEFT JOIN users u ON u.id = c.checked_by
           ORDER BY c.endpoint_id, c.scenario"#,
        integration
    )
    .fetch_all(db)
    .await
}

/// The same without their reports (left empty), for pages that show only verdicts: reading
/// fifty reports cost the review page a quarter of its throughput.
pub async fn latest_verdicts<'e>(
    db: impl sqlx::PgExecutor<'e>,
    integration: Uuid,
) -> sqlx::Result<Vec<CheckRow>> {
    sqlx::query_as!(
        CheckRow,
        r#"WITH latest AS (
             SELECT DISTINCT ON (endpoint_id, scenario) id FROM staging_checks
             WHERE integration_id = $1 AND verdict <> 'running'
             ORDER BY endpoint_id, scenario, checked_at DESC)
           SELECT c.id, c.endpoint_id, c.scenario, c.revision, c.fingerprint, c.checked_at, c.verdict,
                  c.target, '{}'::jsonb AS "report!: sqlx::types::Json<Report>",
                  u.display_name AS "checked_by?"
           FROM latest JOIN staging_checks c ON c.id = latest.id LEFT JOIN users u ON u.id = c.checked_by
           ORDER BY c.endpoint_id, c.scenario"#,
        integration
    )
    .fetch_all(db)
    .await
}

/// The latest finished check of an endpoint's success example, for the endpoint's own page.
pub async fn latest_success(
    db: &PgPool,
    integration: Uuid,
    endpoint: Uuid,
) -> sqlx::Result<Option<CheckRow>> {
    sqlx::query_as!(
        CheckRow,
        r#"SELECT c.id, c.endpoint_id, c.scenario, c.revision, c.fingerprint, c.checked_at, c.verdict,
                  c.target, c.report AS "report: sqlx::types::Json<Report>",
                  u.display_name AS "checked_by?"
           FROM staging_checks c LEFT JOIN users u ON u.id = c.checked_by
           WHERE c.integration_id = $1 AND c.endpoint_id = $2 AND c.scenario = '' AND c.verdict <> 'running'
           ORDER BY c.checked_at DESC LIMIT 1"#,
        integration,
        endpoint
    )
    .fetch_optional(db)
    .await
}

/// An endpoint's checks, newest first.
pub async fn history(
    db: &PgPool,
    integration: Uuid,
    endpoint: Uuid,
) -> sqlx::Result<Vec<CheckRow>> {
    sqlx::query_as!(
        CheckRow,
        r#"SELECT c.id, c.endpoint_id, c.scenario, c.revision, c.fingerprint, c.checked_at, c.verdict,
                  c.target, c.report AS "report: sqlx::types::Json<Report>",
                  u.display_name AS "checked_by?"
           FROM staging_checks c LEFT JOIN users u ON u.id = c.checked_by
           WHERE c.integration_id = $1 AND c.endpoint_id = $2
           ORDER BY c.checked_at DESC LIMIT 20"#,
        integration,
        endpoint
    )
    .fetch_all(db)
    .await
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct RunRow {
    pub total: i32,
    pub done: i32,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
    pub heartbeat_at: OffsetDateTime,
    pub started_by: Option<String>,
}

impl RunRow {
    pub fn running(&self) -> bool {
        self.finished_at.is_none()
            && OffsetDateTime::now_utc() - self.heartbeat_at < time::Duration::minutes(5)
    }

    pub fn interrupted(&self) -> bool {
        self.finished_at.is_none() && !self.running()
    }

    pub fn when(&self) -> String {
        crate::web::dates::date_time(self.started_at)
    }

    pub fn who(&self) -> &str {
        self.started_by.as_deref().unwrap_or("a former user")
    }
}

pub async fn last_run(db: &PgPool, integration: Uuid) -> sqlx::Result<Option<RunRow>> {
    sqlx::query_as!(
        RunRow,
        r#"SELECT r.total, r.done, r.started_at, r.finished_at, r.heartbeat_at,
                  u.display_name AS "started_by?"
           FROM staging_runs r LEFT JOIN users u ON u.id = r.started_by
           WHERE r.integration_id = $1 ORDER BY r.started_at DESC LIMIT 1"#,
        integration
    )
    .fetch_optional(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::Duration;

    #[test]
    fn ages_read_like_a_person_would_say_them() {
        let now = OffsetDateTime::now_utc();
        assert_eq!(ago(now - Duration::seconds(20), now), "just now");
        assert_eq!(ago(now - Duration::minutes(1), now), "1 minute ago");
        assert_eq!(ago(now - Duration::hours(5), now), "5 hours ago");
        assert_eq!(ago(now - Duration::days(1), now), "1 day ago");
        assert_eq!(ago(now - Duration::days(12), now), "12 days ago");
    }
}
