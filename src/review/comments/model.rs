//! What a comment thread is: its anchor, state, comments and replies, and a page's threads.

use sqlx::PgConnection;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::accounts::{Role, User};
use crate::domain::checklist::{self, Scope};

pub const MAX_BODY: usize = 4000;
/// Bounds on what one integration's pages load.
pub const MAX_REPLIES: i64 = 200;
pub const MAX_THREADS: i64 = 2000;

/// Stored as text; an unknown stored value is an error, never read as open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type, serde::Deserialize)]
#[sqlx(type_name = "text", rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
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

    pub(super) fn parse(text: &str) -> Option<ThreadState> {
        [
            ThreadState::Open,
            ThreadState::Addressed,
            ThreadState::Resolved,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Partners say they have dealt with an open comment; only reviewers resolve or reopen it.
    pub(super) fn may_set(self, role: Role) -> bool {
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

    /// Where the partner answers a thread on this anchor: the note at its field on the
    /// endpoint's page, the endpoint's own comments there, or the thread on the integration page.
    pub fn partner_link(&self, integration: Uuid, thread: Uuid) -> String {
        match self.endpoint {
            Some(endpoint) => {
                let at = if self.item.is_empty() {
                    "comment"
                } else {
                    "note"
                };
                format!("/integrations/{integration}/endpoints/{endpoint}#{at}-{thread}")
            }
            None => format!("/integrations/{integration}#comment-{thread}"),
        }
    }

    /// Where it is, for lists and e-mails: "Generate OTP · Headers", "Generate OTP", or the item
    /// alone for the integration (or an endpoint the revision no longer has).
    pub fn place(&self, snapshot: Option<&crate::domain::revision::Snapshot>) -> String {
        let title = self.endpoint.and_then(|id| {
            snapshot?
                .endpoints
                .iter()
                .find(|e| e.id == id)
                .map(|e| e.spec.title())
        });
        match (title, self.item.is_empty()) {
            (Some(title), true) => title,
            (Some(title), false) => format!("{title} · {}", self.label()),
            (None, _) => self.label().to_string(),
        }
    }

    pub fn label(&self) -> &'static str {
        match checklist::item(&self.item) {
            Some(item) => item.label,
            None if self.endpoint.is_some() => "the endpoint",
            None => "the integration",
        }
    }
}

/// One comment as `integration_comments(integration, viewer)` gives it (see its migration).
#[derive(serde::Deserialize, Debug, Clone)]
pub struct CommentRow {
    id: Uuid,
    revision: i32,
    endpoint_id: Option<Uuid>,
    item: String,
    parent_id: Option<Uuid>,
    author: String,
    author_role: Role,
    body: String,
    state: ThreadState,
    published: bool,
    #[serde(with = "time::serde::rfc3339")]
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
        let rows = sqlx::query_scalar!(
            r#"SELECT integration_comments($1, $2) AS "rows!: sqlx::types::Json<Vec<CommentRow>>""#,
            integration,
            viewer.id
        )
        .fetch_one(conn)
        .await?;
        Ok(Threads::of(rows.0))
    }

    /// The threads the comments make (in the order they were written: a reply after its thread).
    pub fn of(mut rows: Vec<CommentRow>) -> Threads {
        rows.sort_by_key(|row| (row.created_at, row.id));
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
                    state: row.state,
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
        Threads(threads)
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

    /// Whether any thread is on one of the endpoint's checklist items (not on it as a whole).
    pub fn on_items_of(&self, endpoint: Uuid) -> bool {
        self.0
            .iter()
            .any(|t| t.anchor.endpoint == Some(endpoint) && !t.anchor.item.is_empty())
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

    /// Open threads on any of `items` (`""` is the whole integration or endpoint).
    pub fn open_at(&self, endpoint: Option<Uuid>, items: &[&str]) -> usize {
        self.0
            .iter()
            .filter(|t| {
                t.is_open()
                    && t.anchor.endpoint == endpoint
                    && items.contains(&t.anchor.item.as_str())
            })
            .count()
    }

    /// Open threads about one endpoint, whichever of its items.
    pub fn open_on_endpoint(&self, endpoint: Uuid) -> usize {
        self.0
            .iter()
            .filter(|t| t.is_open() && t.anchor.endpoint == Some(endpoint))
            .count()
    }

    /// The open threads, in the order they were written: the partner's to-do list.
    pub fn open_threads(&self) -> Vec<&Thread> {
        self.0.iter().filter(|t| t.is_open()).collect()
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
