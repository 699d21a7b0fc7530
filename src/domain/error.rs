//! What a domain command can answer instead of doing what was asked. The pages and the API each
//! map it to their own response (`web::AppError`, `api::ApiError`); the messages are for the
//! person who asked, so both show them as they are.

use super::workflow::IllegalTransition;
use super::workflow::decision::Refusal;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// No such thing, or not the asker's to see: the two are one answer, so ids cannot be probed.
    #[error("not found")]
    NotFound,
    /// The workflow does not allow this action from the current status, or not by this actor.
    #[error(transparent)]
    Illegal(#[from] IllegalTransition),
    /// A review action on a submission nobody has claimed, or one no longer in review.
    #[error("Claim the submission first: {0} are part of a review.")]
    NotInReview(&'static str),
    /// Another reviewer claimed the submission.
    #[error("Another reviewer is reviewing this submission.")]
    ClaimedByAnother,
    /// The reviewer acted on a revision that is no longer the latest.
    #[error(
        "Not done: you reviewed revision {reviewed}, but the partner has since withdrawn or resubmitted it. Reload the review page and look at the current revision."
    )]
    StaleRevision { reviewed: i32 },
    /// The decision is possible but not as sent; the reviewer can fix it and send it again.
    #[error("{0}")]
    Refused(Refusal),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}
