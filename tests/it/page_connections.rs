//! The connections the heavy pages keep out of sqlx's pool: kept after a statement that worked,
//! given back after one that failed or was cancelled, and never the cause of a wrong answer.

use std::time::Duration;

use partner_portal::db::page_connections::PageConnections;
use sqlx::PgPool;

async fn backend(pages: &PageConnections) -> sqlx::Result<i32> {
    pages
        .run(async |connection| {
            sqlx::query_scalar("SELECT pg_backend_pid()")
                .fetch_one(connection)
                .await
        })
        .await
}

#[sqlx::test]
async fn a_connection_is_kept_after_a_statement_that_worked(db: PgPool) {
    let pages = PageConnections::new(db.clone());
    let first = backend(&pages).await.unwrap();
    assert_eq!(pages.kept(), 1);
    assert_eq!(
        backend(&pages).await.unwrap(),
        first,
        "the kept one served again"
    );

    let failed = pages
        .run(async |connection| {
            sqlx::query_scalar::<_, i32>("SELECT 1 / 0")
                .fetch_one(connection)
                .await
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(pages.kept(), 0, "a failed statement's connection goes back");
}

#[sqlx::test]
async fn a_cancelled_statement_leaves_nothing_behind_for_the_next(db: PgPool) {
    let pages = PageConnections::new(db.clone());
    backend(&pages).await.unwrap();
    let cancelled = tokio::time::timeout(
        Duration::from_millis(100),
        pages.run(async |connection| {
            sqlx::query_scalar::<_, i32>("SELECT 7 FROM pg_sleep(2)")
                .fetch_one(connection)
                .await
        }),
    )
    .await;
    assert!(cancelled.is_err(), "the statement was still running");
    assert_eq!(
        pages.kept(),
        0,
        "the cancelled statement's connection went back"
    );
    let answer: i32 = pages
        .run(async |connection| sqlx::query_scalar("SELECT 42").fetch_one(connection).await)
        .await
        .unwrap();
    assert_eq!(answer, 42);
}

#[sqlx::test]
async fn a_kept_connection_that_died_fails_once_and_is_replaced(db: PgPool) {
    let pages = PageConnections::new(db.clone());
    let kept = backend(&pages).await.unwrap();
    let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)")
        .bind(kept)
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(ended);
    // The server may take a moment to close it; until then the kept one still answers.
    let mut failures = 0;
    let replaced = loop {
        match backend(&pages).await {
            Ok(pid) if pid != kept => break pid,
            Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(_) => failures += 1,
        }
        assert!(failures <= 1, "a dead connection is not tried twice");
    };
    assert_ne!(replaced, kept);
    assert_eq!(pages.kept(), 1);
}
