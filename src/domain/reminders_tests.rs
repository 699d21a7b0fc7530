use time::macros::{date, datetime};

use super::*;

fn standing(status: Status, since: OffsetDateTime) -> Standing {
    Standing {
        integration: Uuid::from_u128(7),
        name: "OTP APIs".into(),
        status,
        move_since: since,
        updated_at: since,
    }
}

fn december() -> Calendar {
    Calendar {
        holidays: [date!(2026 - 12 - 25)].into_iter().collect(),
    }
}

fn when(found: &[Due]) -> Vec<(OffsetDateTime, Audience)> {
    found.iter().map(|d| (d.due_at, d.audience)).collect()
}

#[test]
fn business_days_skip_weekends_and_holidays() {
    let calendar = december();
    // Friday 4 December + 3 business days: Wednesday 9 December, same time.
    let friday = datetime!(2026-12-04 10:00 UTC);
    assert_eq!(
        calendar.add_business_days(friday, 3),
        datetime!(2026-12-09 10:00 UTC)
    );
    // Thursday 24 December + 2: Christmas and the weekend are skipped.
    let eve = datetime!(2026-12-24 09:00 UTC);
    assert_eq!(
        calendar.add_business_days(eve, 2),
        datetime!(2026-12-29 09:00 UTC)
    );
}

#[test]
fn a_sent_back_integration_reminds_the_partner_twice_then_the_reviewer() {
    let calendar = december();
    let sent_back = standing(Status::ChangesRequested, datetime!(2026-12-04 10:00 UTC));
    let policies = default_policies();
    let at = |t| due(std::slice::from_ref(&sent_back), &policies, &calendar, t);
    assert!(
        at(datetime!(2026-12-09 09:59 UTC)).is_empty(),
        "not before three business days"
    );
    assert_eq!(
        when(&at(datetime!(2026-12-31 00:00 UTC))),
        vec![
            (datetime!(2026-12-09 10:00 UTC), Audience::PartnerTeam),
            (datetime!(2026-12-15 10:00 UTC), Audience::PartnerTeam),
            (datetime!(2026-12-18 10:00 UTC), Audience::Reviewer),
        ]
    );
    // The same reminders have the same keys however often they are computed, and differ.
    let keys: BTreeSet<String> = at(datetime!(2026-12-31 00:00 UTC))
        .into_iter()
        .map(|d| d.key)
        .collect();
    assert_eq!(keys.len(), 3);
    assert_eq!(
        at(datetime!(2026-12-31 00:00 UTC))[0].key,
        at(datetime!(2026-12-20 00:00 UTC))[0].key
    );
}

#[test]
fn nobody_is_reminded_once_the_other_side_moved() {
    let calendar = december();
    let policies = default_policies();
    let late = datetime!(2026-12-31 00:00 UTC);
    // The partner edited after it was sent back: working on it, not forgotten.
    let mut touched = standing(Status::ChangesRequested, datetime!(2026-12-04 10:00 UTC));
    touched.updated_at = datetime!(2026-12-07 12:00 UTC);
    assert!(due(&[touched], &policies, &calendar, late).is_empty());
    // Resubmitted: the partner's reminders stop; Haptik's clock starts at the resubmission.
    let resubmitted = standing(Status::Submitted, datetime!(2026-12-24 09:00 UTC));
    assert_eq!(
        when(&due(&[resubmitted], &policies, &calendar, late)),
        vec![(datetime!(2026-12-29 09:00 UTC), Audience::AllReviewers)]
    );
}

#[test]
fn claimed_work_and_drafts_have_their_own_clocks() {
    let calendar = Calendar::default();
    let policies = default_policies();
    let late = datetime!(2026-12-31 00:00 UTC);
    let in_review = standing(Status::InReview, datetime!(2026-12-01 08:00 UTC));
    assert_eq!(
        when(&due(&[in_review], &policies, &calendar, late)),
        vec![(datetime!(2026-12-08 08:00 UTC), Audience::Reviewer)]
    );
    // A draft counts calendar days, weekends included.
    let draft = standing(Status::Draft, datetime!(2026-12-01 08:00 UTC));
    assert_eq!(
        when(&due(&[draft], &policies, &calendar, late)),
        vec![(datetime!(2026-12-15 08:00 UTC), Audience::PartnerTeam)]
    );
    let approved = standing(Status::Approved, datetime!(2026-12-01 08:00 UTC));
    assert!(due(&[approved], &policies, &calendar, late).is_empty());
}
