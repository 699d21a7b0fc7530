//! What the review page shows beside each part of a revision: the sign-offs, the viewing
//! reviewer's own "viewed" marks and the latest staging check of each endpoint's success example,
//! read as JSON inside the page's one statement (`revision_page.rs`).

use std::collections::HashMap;
use std::sync::Arc;

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

/// One row of the three kinds; the fields a kind does not use are empty.
#[derive(serde::Deserialize)]
pub struct MarkRow {
    kind: String,
    endpoint_id: Option<Uuid>,
    target: Option<String>,
    fingerprint: Option<String>,
    who: Option<String>,
    revision: Option<i32>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    checked_at: Option<OffsetDateTime>,
    verdict: Option<String>,
    check_id: Option<Uuid>,
}

impl Marks {
    /// From the rows the review page's header statement gives (`MARKS` in `revision_page.rs`).
    pub fn of(rows: Vec<MarkRow>, snapshot: &Snapshot, fingerprints: &Arc<Fingerprints>) -> Marks {
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
        Marks {
            signoffs: SignOffs::of(signoffs, fingerprints.clone()),
            viewed: Viewed::of(&viewed, snapshot, fingerprints),
            staging,
        }
    }
}
