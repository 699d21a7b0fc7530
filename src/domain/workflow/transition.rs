//! The workflow against the database: the integration's row lock, the one guard for review
//! actions, and `transition`, the only writer of an integration's status.

use sqlx::PgConnection;
use uuid::Uuid;

use super::{Action, Actor, Status};
use crate::domain::account::{Role, User};
use crate::domain::audit;
use crate::domain::error::DomainError;
use crate::domain::revision;

/// An integration locked `FOR UPDATE` for the rest of the transaction, as it was when locked.
#[derive(Debug, Clone)]
pub struct Locked {
    pub id: Uuid,
    pub status: Status,
    pub company_id: Uuid,
    pub name: String,
    pub claimed_by: Option<Uuid>,
    pub latest_revision: Option<i32>,
}

/// Who may see the integration: a partner only within their company, staff everywhere.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    Company(Uuid),
    Staff,
}

impl Scope {
    /// A partner without a company sees nothing.
    pub fn of(user: &User) -> Scope {
        match user.role {
            Role::Partner => Scope::Company(user.company_id.unwrap_or(Uuid::nil())),
            Role::Reviewer | Role::Admin => Scope::Staff,
        }
    }

    fn company(self) -> Option<Uuid> {
        match self {
            Scope::Company(company) => Some(company),
            Scope::Staff => None,
        }
    }
}

/// Locks the integration, if `scope` may see it.
pub async fn lock(conn: &mut PgConnection, id: Uuid, scope: Scope) -> Result<Locked, DomainError> {
    let row = sqlx::query!(
        r#"SELECT status AS "status: Status", company_id, name, claimed_by FROM integrations
           WHERE id = $1 AND ($2::uuid IS NULL OR company_id = $2) FOR UPDATE"#,
        id,
        scope.company()
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DomainError::NotFound)?;
    let latest_revision = revision::latest_number(conn, id).await?;
    Ok(Locked {
        id,
        status: row.status,
        company_id: row.company_id,
        name: row.name,
        claimed_by: row.claimed_by,
        latest_revision,
    })
}

/// What a review action is part of, for the message when it is refused.
#[derive(Debug, Clone, Copy)]
pub enum ReviewPart {
    Comments,
    SignOffs,
    Decisions,
}

impl ReviewPart {
    fn plural(self) -> &'static str {
        match self {
            ReviewPart::Comments => "comments",
            ReviewPart::SignOffs => "sign-offs",
            ReviewPart::Decisions => "decisions",
        }
    }
}

impl Locked {
    /// The guard of every review action: the integration is in review, claimed by `reviewer`
    /// (an admin may step in), and, when the action names one, on the latest revision.
    pub fn reviewing(
        &self,
        reviewer: &User,
        part: ReviewPart,
        revision: Option<i32>,
    ) -> Result<(), DomainError> {
        if self.status != Status::InReview {
            return Err(DomainError::NotInReview(part.plural()));
        }
        self.claimed_by_or_admin(reviewer)?;
        match revision {
            Some(reviewed) if self.latest_revision != Some(reviewed) => {
                Err(DomainError::StaleRevision { reviewed })
            }
            _ => Ok(()),
        }
    }

    fn claimed_by_or_admin(&self, reviewer: &User) -> Result<(), DomainError> {
        if self.claimed_by.is_some_and(|by| by != reviewer.id) && reviewer.role != Role::Admin {
            return Err(DomainError::ClaimedByAnother);
        }
        Ok(())
    }
}

/// Applies `action` by `by` to the locked integration, writes the new status (and what goes with
/// it: the claimer, the waiting time, the approved revision) and audits it with `detail`. The
/// only writer of `integrations.status`.
pub async fn transition(
    conn: &mut PgConnection,
    locked: &Locked,
    action: Action,
    by: &User,
    detail: impl AsRef<str>,
) -> Result<Status, DomainError> {
    let actor = if by.role.is_staff() {
        Actor::Reviewer
    } else {
        Actor::Partner
    };
    if action == Action::Release {
        locked.claimed_by_or_admin(by)?;
    }
    let claimer = (action == Action::Claim).then_some(by.id);
    write(conn, locked, action, actor, by, claimer, detail.as_ref()).await
}

/// An admin gives the submission to `reviewer`, claimed for them whoever held it; audited as the
/// admin's act, naming the reviewer.
pub async fn assign(
    conn: &mut PgConnection,
    locked: &Locked,
    admin: &User,
    reviewer: &User,
) -> Result<Status, DomainError> {
    if admin.role != Role::Admin {
        return Err(DomainError::Illegal(super::IllegalTransition {
            from: locked.status,
            action: Action::Assign,
            message: "Only an admin can give a submission to a reviewer.".into(),
        }));
    }
    if !reviewer.role.is_staff() || !reviewer.active {
        return Err(DomainError::NotFound);
    }
    let detail = format!("to {}", reviewer.display_name);
    let claimer = Some(reviewer.id);
    write(
        conn,
        locked,
        Action::Assign,
        Actor::Reviewer,
        admin,
        claimer,
        &detail,
    )
    .await
}

/// Writes the status `action` leads to, with its claimer, waiting time and approved revision,
/// and audits it.
async fn write(
    conn: &mut PgConnection,
    locked: &Locked,
    action: Action,
    actor: Actor,
    by: &User,
    claimer: Option<Uuid>,
    detail: &str,
) -> Result<Status, DomainError> {
    let next = locked.status.apply(action, actor)?;
    let ball_moved = locked.status.whose_move() != next.whose_move();
    let approved = (action == Action::Approve)
        .then_some(locked.latest_revision)
        .flatten();
    sqlx::query!(
        "UPDATE integrations SET status = $2, claimed_by = $3,
                claimed_at = CASE WHEN $3::uuid IS NULL THEN NULL ELSE now() END,
                waiting_since = CASE WHEN $4 THEN now() ELSE waiting_since END,
                move_since = CASE WHEN $6 THEN now() ELSE move_since END,
                approved_revision = COALESCE($5, approved_revision),
                updated_at = now()
         WHERE id = $1",
        locked.id,
        next as Status,
        claimer,
        action == Action::Submit,
        approved,
        ball_moved
    )
    .execute(&mut *conn)
    .await?;
    audit::record(conn, Some(by.id), Some(locked.id), action.audited(), detail).await?;
    Ok(next)
}

#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::*;

    fn user(role: Role) -> User {
        User {
            id: Uuid::new_v4(),
            email: "r@example.com".into(),
            display_name: "R".into(),
            role,
            company_id: None,
            active: true,
            company_name: None,
            sessions_valid_after: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn locked(status: Status, claimed_by: Option<Uuid>) -> Locked {
        Locked {
            id: Uuid::new_v4(),
            status,
            company_id: Uuid::new_v4(),
            name: "Orders".into(),
            claimed_by,
            latest_revision: Some(2),
        }
    }

    #[test]
    fn review_actions_need_the_claim_the_status_and_the_latest_revision() {
        let me = user(Role::Reviewer);
        let other = user(Role::Reviewer);
        let mine = locked(Status::InReview, Some(me.id));
        assert!(mine.reviewing(&me, ReviewPart::Comments, Some(2)).is_ok());
        assert!(mine.reviewing(&me, ReviewPart::Comments, None).is_ok());
        assert!(matches!(
            mine.reviewing(&me, ReviewPart::SignOffs, Some(1)),
            Err(DomainError::StaleRevision { reviewed: 1 })
        ));
        assert!(matches!(
            mine.reviewing(&other, ReviewPart::Decisions, Some(2)),
            Err(DomainError::ClaimedByAnother)
        ));
        // An admin may step in for a reviewer who is away.
        assert!(
            mine.reviewing(&user(Role::Admin), ReviewPart::Decisions, Some(2))
                .is_ok()
        );
        let waiting = locked(Status::Submitted, None);
        let refused = waiting
            .reviewing(&me, ReviewPart::SignOffs, Some(2))
            .unwrap_err();
        assert!(matches!(refused, DomainError::NotInReview("sign-offs")));
        assert_eq!(
            refused.to_string(),
            "Claim the submission first: sign-offs are part of a review."
        );
    }
}
