//! What the review page shows beside each part of a revision, read in one statement: the
//! sign-offs, the viewing reviewer's own "viewed" marks and the latest staging check of each
//! endpoint's success example.

use std::collections::HashMap;

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::fingerprint::Fingerprints;
use crate::domain::revision::Snapshot;
use crate::review::signoffs::SignOffs;
use crate::review::viewed::Viewed;
use crate::staging::results::CheckRow;

pub struct Marks {
    pub signoffs: SignOffs,
    pub viewed: Viewed,
    /// The latest finished check of each endpoint's success example, without its report.
    pub staging: Vec<CheckRow>,
}

/// One row of the three kinds; the columns a kind does not use are empty.
struct MarkRow {
    kind: String,
    endpoint_id: Option<Uuid>,
    target: Option<String>,
    fingerprint: Option<String>,
    who: Option<String>,
    revision: Option<i32>,
    checked_at: Option<OffsetDateTime>,
    verdict: Option<String>,
    check_id: Option<Uuid>,
}

impl Marks {
    pub async fn load(
        conn: &mut PgConnection,
        integration: Uuid,
        reviewer: Uuid,
        snapshot: &Snapshot,
        fingerprints: &Fingerprints,
    ) -> sqlx::Result<Marks> {
        let rows = sqlx::query_as!(
            MarkRow,
            r#"SELECT 'signoff' AS "kind!", NULL::uuid AS endpoint_id, s.target, s.fingerprint,
                      u.display_name AS who, s.revision, NULL::timestamptz AS checked_at,
                      NULL::text AS verdict, NULL::uuid AS check_id
               FROM signoffs s JOIN users u ON u.id = s.reviewer_id WHERE s.integration_id = $1
               UNION ALL
               SELECT 'viewed', v.endpoint_id, NULL, v.fingerprint, NULL, NULL, NULL, NULL, NULL
               FROM endpoint_views v WHERE v.integration_id = $1 AND v.user_id = $2
               UNION ALL
               (SELECT DISTINCT ON (c.endpoint_id) 'staging', c.endpoint_id, c.target, c.fingerprint,
                       u.display_name, c.revision, c.checked_at, c.verdict, c.id
                FROM staging_checks c LEFT JOIN users u ON u.id = c.checked_by
                WHERE c.integration_id = $1 AND c.scenario = '' AND c.verdict <> 'running'
                ORDER BY c.endpoint_id, c.checked_at DESC)"#,
            integration,
            reviewer
        )
        .fetch_all(conn)
        .await?;
        let mut signoffs = Vec::new();
        let mut viewed = HashMap::new();
        let mut staging = Vec::new();
        for mut row in rows {
            let kind = std::mem::take(&mut row.kind);
            match (kind.as_str(), row) {
                (
                    "signoff",
                    MarkRow {
                        target: Some(target),
                        fingerprint: Some(fingerprint),
                        who: Some(who),
                        revision: Some(revision),
                        ..
                    },
                ) => signoffs.push((target, fingerprint, who, revision)),
                (
                    "viewed",
                    MarkRow {
                        endpoint_id: Some(endpoint),
                        fingerprint: Some(fingerprint),
                        ..
                    },
                ) => {
                    viewed.insert(endpoint, fingerprint);
                }
                (
                    "staging",
                    MarkRow {
                        check_id: Some(id),
                        endpoint_id: Some(endpoint_id),
                        fingerprint: Some(fingerprint),
                        checked_at: Some(checked_at),
                        verdict: Some(verdict),
                        target,
                        who,
                        revision,
                        ..
                    },
                ) => staging.push(CheckRow {
                    id,
                    endpoint_id,
                    scenario: String::new(),
                    revision,
                    fingerprint,
                    checked_at,
                    verdict,
                    target: target.unwrap_or_default(),
                    report: Default::default(),
                    checked_by: who,
                }),
                _ => {}
            }
        }
        Ok(Marks {
            signoffs: SignOffs::of(signoffs, snapshot, fingerprints),
            viewed: Viewed::of(&viewed, snapshot, fingerprints),
            staging,
        })
    }
}
