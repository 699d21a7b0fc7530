use time::macros::{date, datetime};

use super::*;

fn history(
    id: u128,
    submitted: &[OffsetDateTime],
    decisions: &[(OffsetDateTime, bool)],
) -> History {
    History {
        integration: Uuid::from_u128(id),
        name: format!("integration {id}"),
        company: "XYZ Finance".into(),
        status: match decisions.last() {
            Some((_, true)) => Status::Approved,
            Some((_, false)) => Status::ChangesRequested,
            None => Status::Submitted,
        },
        move_since: decisions
            .last()
            .map(|d| d.0)
            .or(submitted.last().copied())
            .unwrap(),
        submitted: submitted.to_vec(),
        decisions: decisions
            .iter()
            .map(|&(at, approved)| Decided { at, approved })
            .collect(),
    }
}

fn november() -> Period {
    Period {
        from: date!(2026 - 11 - 01),
        until: date!(2026 - 11 - 30),
    }
}

#[test]
fn percentiles_interpolate_as_postgres_does() {
    assert_eq!(percentile(&[], 0.5), None);
    assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
    assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
    let ten: Vec<f64> = (1..=10).map(f64::from).collect();
    let p90 = percentile(&ten, 0.9).unwrap();
    assert!((p90 - 9.1).abs() < 1e-9, "{p90}");
}

#[test]
fn figures_count_what_happened_in_the_period() {
    let histories = [
        // Approved at once: reviewed 24 h after submitting.
        history(
            1,
            &[datetime!(2026-11-02 10:00 UTC)],
            &[(datetime!(2026-11-03 10:00 UTC), true)],
        ),
        // Sent back after 48 h, approved on the second round, 10 days after first submitting.
        history(
            2,
            &[
                datetime!(2026-11-04 10:00 UTC),
                datetime!(2026-11-09 10:00 UTC),
            ],
            &[
                (datetime!(2026-11-06 10:00 UTC), false),
                (datetime!(2026-11-14 10:00 UTC), true),
            ],
        ),
        // Submitted in October: its first review does not count for November, its approval does.
        history(
            3,
            &[datetime!(2026-10-30 10:00 UTC)],
            &[(datetime!(2026-11-02 10:00 UTC), true)],
        ),
        // Waiting for Haptik since 20 November.
        history(4, &[datetime!(2026-11-20 09:00 UTC)], &[]),
    ];
    let send_backs = [
        SendBackItem {
            decision: Uuid::from_u128(20),
            decided_at: datetime!(2026-11-06 10:00 UTC),
            item: "Response examples".into(),
        },
        // Two comments on one item in one send-back count once.
        SendBackItem {
            decision: Uuid::from_u128(20),
            decided_at: datetime!(2026-11-06 10:00 UTC),
            item: "Response examples".into(),
        },
        SendBackItem {
            decision: Uuid::from_u128(20),
            decided_at: datetime!(2026-11-06 10:00 UTC),
            item: "Error codes".into(),
        },
        // October's send-back is outside the period.
        SendBackItem {
            decision: Uuid::from_u128(21),
            decided_at: datetime!(2026-10-06 10:00 UTC),
            item: "Error codes".into(),
        },
    ];
    let insights = compute(
        &histories,
        &send_backs,
        november(),
        datetime!(2026-11-30 12:00 UTC),
    );
    assert_eq!(insights.first_review.count, 2);
    assert_eq!(insights.first_review.median_hours, Some(36.0));
    assert_eq!(insights.approval.count, 3);
    // 24, 72 and 240 hours.
    assert_eq!(insights.approval.median_hours, Some(72.0));
    let p90 = insights.approval.p90_hours.unwrap();
    assert!((p90 - (72.0 + (240.0 - 72.0) * 0.8)).abs() < 1e-9, "{p90}");
    assert_eq!(insights.rounds, BTreeMap::from([(1, 2), (2, 1)]));
    assert_eq!(insights.first_time_percent(), Some(67));
    assert_eq!(
        insights.send_back_items,
        vec![
            ItemCount {
                item: "Error codes".into(),
                send_backs: 1
            },
            ItemCount {
                item: "Response examples".into(),
                send_backs: 1
            },
        ]
    );
    assert_eq!(insights.stalled.len(), 1);
    assert_eq!(insights.stalled[0].party, Party::Haptik);
    assert_eq!(insights.stalled[0].days, 10);
    // Weeks start on Monday: 26 October (holding 1 November) to 30 November.
    let weeks: Vec<(Date, usize, usize)> = insights
        .weeks
        .iter()
        .map(|w| (w.starts, w.submissions, w.approvals))
        .collect();
    assert_eq!(
        weeks,
        vec![
            (date!(2026 - 10 - 26), 0, 0),
            (date!(2026 - 11 - 02), 2, 2),
            (date!(2026 - 11 - 09), 1, 1),
            (date!(2026 - 11 - 16), 1, 0),
            (date!(2026 - 11 - 23), 0, 0),
            (date!(2026 - 11 - 30), 0, 0),
        ]
    );
}

#[test]
fn an_empty_history_has_no_figures_rather_than_zeros() {
    let insights = compute(&[], &[], november(), datetime!(2026-11-30 12:00 UTC));
    assert_eq!(insights.first_review.median_hours, None);
    assert_eq!(insights.first_time_percent(), None);
    assert_eq!(insights.weeks.len(), 6);
}
