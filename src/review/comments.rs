//! Comments on the exact item: a thread is anchored to (revision, endpoint, checklist item), shows
//! on the same item in every later revision until it is resolved, and a reviewer's comments stay a
//! draft until the decision is sent.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgConnection;
use time::OffsetDateTime;
use tower_sessions::Session;
use uuid::Uuid;

use super::decisions::{ensure_reviewer, lock};
use crate::AppState;
use crate::accounts::viewer::CurrentUser;
use crate::accounts::{Role, User};
use crate::domain::checklist::{self, Scope};
use crate::domain::workflow::Status;
use crate::web::extract::{Form, Path};
use crate::web::session::{self, FlashKind};
use crate::web::{AppError, Result};

pub const MAX_BODY: usize = 4000;
/// Bounds on what one integration's pages load.
pub const MAX_REPLIES: i64 = 200;
pub const MAX_THREADS: i64 = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadState {
    Open,
    Addressed,
    Resolved,
}

impl ThreadState {
    pub fn as_str(self) -> &'static str {
        match self {
            ThreadState::Open => "open",
            ThreadState::Addressed => "addressed",
            ThreadState::Resolved => "resolved",
        }
    }

    fn parse(text: &str) -> Option<ThreadState> {
        [
            ThreadState::Open,
            ThreadState::Addressed,
            ThreadState::Resolved,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Partners say they have dealt with an open comment; only reviewers resolve or reopen it.
    fn may_set(self, role: Role) -> bool {
        match role {
            Role::Partner => self == ThreadState::Addressed,
            Role::Reviewer | Role::Admin => true,
        }
    }
}

/// What a comment is about: the whole integration or endpoint (`item` empty), or one checklist item
/// of it. Only items of the checklist are accepted, so every anchor has a place on both pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub endpoint: Option<Uuid>,
    pub item: String,
}

impl Anchor {
    pub fn parse(endpoint: &str, item: &str) -> Option<Anchor> {
        let endpoint = match endpoint.trim() {
            "" => None,
            text => Some(text.parse().ok()?),
        };
        let item = item.trim();
        if !item.is_empty() {
            let scope = checklist::item(item)?.scope;
            let expected = if endpoint.is_some() {
                Scope::Endpoint
            } else {
                Scope::Integration
            };
            if scope != expected {
                return None;
            }
        }
        Some(Anchor {
            endpoint,
            item: item.to_string(),
        })
    }

    pub fn label(&self) -> &'static str {
        match checklist::item(&self.item) {
            Some(item) => item.label,
            None if self.endpoint.is_some() => "the endpoint",
            None => "the integration",
        }
    }
}

#[derive(sqlx::FromRow, Debug, Clone)]
struct Row {
    id: Uuid,
    revision: i32,
    endpoint_id: Option<Uuid>,
    item: String,
    parent_id: Option<Uuid>,
    author: String,
    author_role: Role,
    body: String,
    state: String,
    published: bool,
    created_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct Comment {
    pub id: Uuid,
    pub author: String,
    pub by_reviewer: bool,
    pub body: String,
    pub draft: bool,
    pub at: OffsetDateTime,
}

impl Comment {
    pub fn when(&self) -> String {
        crate::web::dates::date_time(self.at)
    }
}

#[derive(Debug, Clone)]
pub struct Thread {
    pub anchor: Anchor,
    pub revision: i32,
    pub state: ThreadState,
    pub first: Comment,
    pub replies: Vec<Comment>,
}

impl Thread {
    pub fn id(&self) -> Uuid {
        self.first.id
    }

    pub fn is_open(&self) -> bool {
        self.state == ThreadState::Open
    }

    pub fn is_resolved(&self) -> bool {
        self.state == ThreadState::Resolved
    }

    pub fn state_label(&self) -> &'static str {
        self.state.as_str()
    }

    /// The partner replied or marked it addressed: what a reviewer re-reads on a resubmission.
    pub fn answered(&self) -> bool {
        self.state == ThreadState::Addressed || self.replies.iter().any(|r| !r.by_reviewer)
    }
}

/// All the threads of one integration that a viewer may see, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Threads(pub Vec<Thread>);

impl Threads {
    pub async fn load(
        conn: &mut PgConnection,
        integration: Uuid,
        viewer: &User,
    ) -> sqlx::Result<Threads> {
        // Partners see what was sent; staff also see their own drafts.
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT c.id, c.revision, c.endpoint_id, c.item, c.parent_id, u.display_name AS author,
                    u.role AS author_role, c.body, c.state, c.published, c.created_at
             FROM comments c JOIN users u ON u.id = c.author_id
             WHERE c.integration_id = $1 AND (c.published OR c.author_id = $2)
             ORDER BY c.created_at, c.id",
        )
        .bind(integration)
        .bind(viewer.id)
        .fetch_all(conn)
        .await?;
        let mut threads: Vec<Thread> = Vec::new();
        for row in rows {
            let comment = Comment {
                id: row.id,
                author: row.author,
                by_reviewer: row.author_role != Role::Partner,
                body: row.body,
                draft: !row.published,
                at: row.created_at,
            };
            match row.parent_id {
                None => threads.push(Thread {
                    anchor: Anchor {
                        endpoint: row.endpoint_id,
                        item: row.item,
                    },
                    revision: row.revision,
                    state: ThreadState::parse(&row.state).unwrap_or(ThreadState::Open),
                    first: comment,
                    replies: Vec::new(),
                }),
                Some(parent) => {
                    if let Some(thread) = threads.iter_mut().find(|t| t.first.id == parent) {
                        thread.replies.push(comment);
                    }
                }
            }
        }
        Ok(Threads(threads))
    }

    /// The threads on one item (carried forward from earlier revisions too).
    pub fn on(&self, endpoint: Option<Uuid>, item: &str) -> Vec<&Thread> {
        self.0
            .iter()
            .filter(|t| t.anchor.endpoint == endpoint && t.anchor.item == item)
            .collect()
    }

    pub fn at_integration(&self, item: &str) -> Vec<&Thread> {
        self.on(None, item)
    }

    pub fn at_endpoint(
        &self,
        endpoint: impl std::borrow::Borrow<Uuid>,
        item: &str,
    ) -> Vec<&Thread> {
        self.on(Some(*endpoint.borrow()), item)
    }

    /// Unresolved threads about one endpoint, whichever of its items.
    pub fn on_endpoint(&self, endpoint: impl std::borrow::Borrow<Uuid>) -> usize {
        let endpoint = *endpoint.borrow();
        self.0
            .iter()
            .filter(|t| t.anchor.endpoint == Some(endpoint) && !t.is_resolved())
            .count()
    }

    /// Threads about endpoints that are not among `present` (deleted since): shown apart, so
    /// they can still be read and resolved.
    pub fn elsewhere(&self, present: &[Uuid]) -> Vec<&Thread> {
        self.0
            .iter()
            .filter(|t| t.anchor.endpoint.is_some_and(|e| !present.contains(&e)))
            .collect()
    }

    pub fn open(&self) -> usize {
        self.0.iter().filter(|t| t.is_open()).count()
    }

    pub fn drafts(&self) -> usize {
        self.0
            .iter()
            .flat_map(|t| std::iter::once(&t.first).chain(&t.replies))
            .filter(|c| c.draft)
            .count()
    }

    /// Threads from before `revision` that the partner answered, for the reviewer's "since" view.
    pub fn answered_before(&self, revision: i32) -> Vec<&Thread> {
        self.0
            .iter()
            .filter(|t| t.revision < revision && t.answered())
            .collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Open threads as `viewer` sees them (published ones and their own drafts): the count the
/// review page shows is the count a decision checks.
pub async fn open_count(
    conn: &mut PgConnection,
    integration: Uuid,
    viewer: Uuid,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM comments WHERE integration_id = $1 AND parent_id IS NULL AND state = 'open'
           AND (published OR author_id = $2)",
    )
    .bind(integration)
    .bind(viewer)
    .fetch_one(conn)
    .await
}

/// Sends the deciding reviewer's drafts with the decision: one coherent message. Another
/// reviewer's leftover drafts (from a review they released) stay theirs. Each becomes an audit event.
pub async fn publish_drafts(
    conn: &mut PgConnection,
    integration: Uuid,
    author: Uuid,
) -> sqlx::Result<usize> {
    let published: Vec<(Option<Uuid>, String, String)> = sqlx::query_as(
        "UPDATE comments SET published = true, updated_at = now()
         WHERE integration_id = $1 AND NOT published AND author_id = $2
         RETURNING endpoint_id, item, body",
    )
    .bind(integration)
    .bind(author)
    .fetch_all(&mut *conn)
    .await?;
    for (endpoint, item, body) in &published {
        let anchor = Anchor {
            endpoint: *endpoint,
            item: item.clone(),
        };
        let detail = format!("on {}: {}", anchor.label(), excerpt(body));
        crate::audit::record(conn, Some(author), Some(integration), "commented", detail).await?;
    }
    Ok(published.len())
}

fn excerpt(body: &str) -> String {
    let mut text: String = body.chars().take(200).collect();
    if body.chars().count() > 200 {
        text.push('…');
    }
    text
}

fn clean_body(body: &str) -> Result<String> {
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::BadRequest("Write the comment first.".into()));
    }
    if body.chars().count() > MAX_BODY {
        return Err(AppError::BadRequest(format!(
            "A comment can be at most {MAX_BODY} characters."
        )));
    }
    Ok(body.to_string())
}

#[derive(Deserialize)]
pub struct NewComment {
    revision: i32,
    #[serde(default)]
    endpoint: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    body: String,
}

/// The anchor's fragment on the review and intake pages.
fn fragment(endpoint: Option<Uuid>, item: &str) -> String {
    match endpoint {
        Some(id) => format!("endpoint-{id}"),
        None if item.is_empty() => "comments".into(),
        None => format!("item-{item}"),
    }
}

/// A reviewer comments on an item of the submission they are reviewing; it stays a draft until
/// the decision.
pub async fn create(
    State(state): State<AppState>,
    crate::accounts::viewer::Staff(reviewer): crate::accounts::viewer::Staff,
    session: Session,
    Path(id): Path<Uuid>,
    Form(form): Form<NewComment>,
) -> Result<Response> {
    let anchor = Anchor::parse(&form.endpoint, &form.item)
        .ok_or_else(|| AppError::BadRequest("unknown item".into()))?;
    let back = format!("/review/{id}#{}", fragment(anchor.endpoint, &anchor.item));
    match start_thread(&state.db, &reviewer, id, form.revision, &anchor, &form.body).await {
        Ok(()) => {}
        Err(AppError::BadRequest(message)) => {
            session::flash(&session, FlashKind::Error, message).await?;
            return Ok(Redirect::to(&back).into_response());
        }
        Err(other) => return Err(other),
    }
    session::flash(
        &session,
        FlashKind::Info,
        "Comment saved as a draft: the partner reads it when you send your decision.",
    )
    .await?;
    Ok(Redirect::to(&back).into_response())
}

/// A reviewer starts a thread on an item of the revision they are reviewing: a draft until the
/// decision. For the page and the API.
pub async fn start_thread(
    db: &sqlx::PgPool,
    reviewer: &User,
    id: Uuid,
    revision: i32,
    anchor: &Anchor,
    body: &str,
) -> Result<()> {
    let body = clean_body(body)?;
    let mut tx = db.begin().await?;
    let locked = lock(&mut tx, id, None).await?;
    if locked.status != Status::InReview {
        return Err(AppError::Conflict(
            "Claim the submission first: comments are part of a review.".into(),
        ));
    }
    ensure_reviewer(&locked, reviewer)?;
    if locked.latest_revision != Some(revision) {
        return Err(AppError::Conflict(
            "The partner has since withdrawn or resubmitted it; reload the review page.".into(),
        ));
    }
    if let Some(endpoint) = anchor.endpoint {
        // The endpoint must be one of this revision's: an anchor nobody can see is a lost comment.
        let present: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM revisions r, jsonb_array_elements(r.snapshot -> 'endpoints') e
                            WHERE r.integration_id = $1 AND r.number = $2 AND e ->> 'id' = $3)",
        )
        .bind(id)
        .bind(revision)
        .bind(endpoint.to_string())
        .fetch_one(&mut *tx)
        .await?;
        if !present {
            return Err(AppError::NotFound);
        }
    }
    let threads: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM comments WHERE integration_id = $1 AND parent_id IS NULL",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    if threads >= MAX_THREADS {
        return Err(AppError::Conflict(format!(
            "This integration has {MAX_THREADS} comment threads, the most it takes."
        )));
    }
    sqlx::query(
        "INSERT INTO comments (id, integration_id, revision, endpoint_id, item, author_id, body, published)
         VALUES ($1, $2, $3, $4, $5, $6, $7, false)",
    )
    .bind(Uuid::new_v4())
    .bind(id)
    .bind(revision)
    .bind(anchor.endpoint)
    .bind(&anchor.item)
    .bind(reviewer.id)
    .bind(&body)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A thread the viewer may act on, read under the integration's lock (taken first, in the same
/// order as decisions, so a reply cannot slip in between publishing and the status change).
/// Partners act within their own company; staff only on a submission they are reviewing.
struct FoundThread {
    id: Uuid,
    integration: Uuid,
    endpoint: Option<Uuid>,
    item: String,
    state: ThreadState,
    published: bool,
    status: Status,
}

async fn find_thread(conn: &mut PgConnection, comment: Uuid, viewer: &User) -> Result<FoundThread> {
    let company = viewer_company(viewer)?;
    let integration: Option<Uuid> = sqlx::query_scalar(
        "SELECT c.integration_id FROM comments c JOIN integrations i ON i.id = c.integration_id
         WHERE c.id = $1 AND c.parent_id IS NULL AND (c.published OR c.author_id = $3)
           AND ($2::uuid IS NULL OR i.company_id = $2)",
    )
    .bind(comment)
    .bind(company)
    .bind(viewer.id)
    .fetch_optional(&mut *conn)
    .await?;
    let locked = lock(conn, integration.ok_or(AppError::NotFound)?, company).await?;
    if company.is_none() {
        if locked.status != Status::InReview {
            return Err(AppError::Conflict(
                "Claim the submission first: comments are part of a review.".into(),
            ));
        }
        ensure_reviewer(&locked, viewer)?;
    }
    let row: (Uuid, Uuid, Option<Uuid>, String, String, bool) = sqlx::query_as(
        "SELECT id, integration_id, endpoint_id, item, state, published FROM comments WHERE id = $1",
    )
    .bind(comment)
    .fetch_one(&mut *conn)
    .await?;
    Ok(FoundThread {
        id: row.0,
        integration: row.1,
        endpoint: row.2,
        item: row.3,
        state: ThreadState::parse(&row.4).unwrap_or(ThreadState::Open),
        published: row.5,
        status: locked.status,
    })
}

/// Partners act only within their company (`Some`); staff anywhere (`None`).
fn viewer_company(viewer: &User) -> Result<Option<Uuid>> {
    match viewer.role {
        Role::Partner => viewer.company_id.map(Some).ok_or(AppError::Forbidden),
        Role::Reviewer | Role::Admin => Ok(None),
    }
}

fn page_of(viewer: &User, integration: Uuid, endpoint: Option<Uuid>, item: &str) -> String {
    let place = fragment(endpoint, item);
    match (viewer.role, endpoint) {
        (Role::Partner, Some(e)) => format!("/integrations/{integration}/endpoints/{e}#comments"),
        (Role::Partner, None) => format!("/integrations/{integration}#{place}"),
        _ => format!("/review/{integration}#{place}"),
    }
}

#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
}

/// A reply in a thread. A reviewer's reply during a review waits for the decision like any comment.
pub async fn reply(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    session: Session,
    headers: axum::http::HeaderMap,
    Path(comment): Path<Uuid>,
    Form(form): Form<ReplyForm>,
) -> Result<Response> {
    match post_reply(&state.db, &viewer, comment, &form.body).await {
        Ok(posted) => {
            let done = if posted.draft {
                "Reply saved as a draft until you send your decision."
            } else {
                "Reply posted."
            };
            session::flash(&session, FlashKind::Success, done).await?;
            Ok(Redirect::to(&posted.page).into_response())
        }
        Err(AppError::BadRequest(message)) => {
            session::flash(&session, FlashKind::Error, message).await?;
            Ok(Redirect::to(&back_to(&headers)).into_response())
        }
        Err(other) => Err(other),
    }
}

/// Where the form was, for sending the user back with a message (same-origin pages only).
fn back_to(headers: &axum::http::HeaderMap) -> String {
    let referer = headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok())
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        });
    crate::web::forms::local_path(referer.as_deref())
}

pub struct Posted {
    pub draft: bool,
    /// The page that shows the thread, for this viewer.
    pub page: String,
}

/// Adds a reply to a thread the viewer may act on; for the pages and the API.
pub async fn post_reply(
    db: &sqlx::PgPool,
    viewer: &User,
    comment: Uuid,
    body: &str,
) -> Result<Posted> {
    let body = clean_body(body)?;
    let mut tx = db.begin().await?;
    let found = find_thread(&mut tx, comment, viewer).await?;
    let (thread, integration, endpoint, item, status) = (
        found.id,
        found.integration,
        found.endpoint,
        found.item,
        found.status,
    );
    let replies: i64 = sqlx::query_scalar("SELECT count(*) FROM comments WHERE parent_id = $1")
        .bind(thread)
        .fetch_one(&mut *tx)
        .await?;
    if replies >= MAX_REPLIES {
        return Err(AppError::Conflict(format!(
            "This thread has {MAX_REPLIES} replies, the most it takes. Start a new comment instead."
        )));
    }
    // Staff only get here while reviewing (find_thread), so their replies wait for the decision.
    let draft = viewer.role != Role::Partner && status == Status::InReview;
    let revision: i32 = sqlx::query_scalar(
        "SELECT coalesce(max(number), 0) FROM revisions WHERE integration_id = $1",
    )
    .bind(integration)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO comments (id, integration_id, revision, endpoint_id, item, parent_id, author_id, body, published)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(Uuid::new_v4())
    .bind(integration)
    .bind(revision)
    .bind(endpoint)
    .bind(&item)
    .bind(thread)
    .bind(viewer.id)
    .bind(&body)
    .bind(!draft)
    .execute(&mut *tx)
    .await?;
    let page = page_of(viewer, integration, endpoint, &item);
    if !draft {
        let anchor = Anchor { endpoint, item };
        let detail = format!("on {}: {}", anchor.label(), excerpt(&body));
        crate::audit::record(
            &mut tx,
            Some(viewer.id),
            Some(integration),
            "replied",
            detail,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Posted { draft, page })
}

#[derive(Deserialize)]
pub struct StateForm {
    state: String,
}

/// Partners mark a thread addressed; reviewers resolve it or open it again.
pub async fn set_state(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    session: Session,
    Path(comment): Path<Uuid>,
    Form(form): Form<StateForm>,
) -> Result<Response> {
    let (next, page) = change_state(&state.db, &viewer, comment, &form.state).await?;
    session::flash(
        &session,
        FlashKind::Success,
        format!("Comment marked {}.", next.as_str()),
    )
    .await?;
    Ok(Redirect::to(&page).into_response())
}

/// Moves a thread to `state` (open, addressed, resolved) if the viewer may; for the pages and
/// the API. Returns the new state and the page that shows the thread.
pub async fn change_state(
    db: &sqlx::PgPool,
    viewer: &User,
    comment: Uuid,
    state: &str,
) -> Result<(ThreadState, String)> {
    let next = ThreadState::parse(state)
        .ok_or_else(|| AppError::BadRequest("unknown comment state".into()))?;
    if !next.may_set(viewer.role) {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin().await?;
    let found = find_thread(&mut tx, comment, viewer).await?;
    if viewer.role == Role::Partner && found.state != ThreadState::Open {
        return Err(AppError::Conflict(format!(
            "This comment is already {}.",
            found.state.as_str()
        )));
    }
    sqlx::query("UPDATE comments SET state = $2, updated_at = now() WHERE id = $1")
        .bind(found.id)
        .bind(next.as_str())
        .execute(&mut *tx)
        .await?;
    // A draft's state is the reviewer's business until the decision publishes it.
    if found.published {
        let anchor = Anchor {
            endpoint: found.endpoint,
            item: found.item.clone(),
        };
        crate::audit::record(
            &mut tx,
            Some(viewer.id),
            Some(found.integration),
            "comment_state",
            format!("comment on {} marked {}", anchor.label(), next.as_str()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok((
        next,
        page_of(viewer, found.integration, found.endpoint, &found.item),
    ))
}

/// A reviewer takes back a draft before the partner has seen it.
pub async fn delete_draft(
    State(state): State<AppState>,
    CurrentUser(viewer): CurrentUser,
    session: Session,
    Path(comment): Path<Uuid>,
) -> Result<Response> {
    let deleted: Option<(Uuid, Option<Uuid>, String)> = sqlx::query_as(
        "DELETE FROM comments WHERE id = $1 AND author_id = $2 AND NOT published
           AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = $1)
         RETURNING integration_id, endpoint_id, item",
    )
    .bind(comment)
    .bind(viewer.id)
    .fetch_optional(&state.db)
    .await?;
    let (integration, endpoint, item) = deleted.ok_or(AppError::NotFound)?;
    session::flash(&session, FlashKind::Info, "Draft comment deleted.").await?;
    Ok(Redirect::to(&page_of(&viewer, integration, endpoint, &item)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_name_items_of_the_right_scope() {
        let endpoint = Uuid::new_v4().to_string();
        assert_eq!(Anchor::parse("", "").unwrap().label(), "the integration");
        assert_eq!(
            Anchor::parse(&endpoint, "").unwrap().label(),
            "the endpoint"
        );
        assert_eq!(
            Anchor::parse(&endpoint, "response-example")
                .unwrap()
                .label(),
            "Success response"
        );
        assert!(Anchor::parse("", "staging").is_some());
        assert!(
            Anchor::parse("", "response-example").is_none(),
            "an endpoint item needs its endpoint"
        );
        assert!(Anchor::parse(&endpoint, "staging").is_none());
        assert!(Anchor::parse("not-a-uuid", "").is_none());
        assert!(Anchor::parse("", "no-such-item").is_none());
    }

    #[test]
    fn partners_only_mark_comments_addressed() {
        assert!(ThreadState::Addressed.may_set(Role::Partner));
        assert!(!ThreadState::Resolved.may_set(Role::Partner));
        assert!(!ThreadState::Open.may_set(Role::Partner));
        assert!(ThreadState::Resolved.may_set(Role::Reviewer));
        assert!(ThreadState::Open.may_set(Role::Admin));
    }
}
