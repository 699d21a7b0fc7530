//! Cross-checks on the endpoint page: one part of an endpoint contradicting another is a warning
//! beside the field, linked in words to the other place, and never stops a save.

use reqwest::StatusCode;
use sqlx::PgPool;

use crate::fixtures::{add_endpoint, partner_with_integration, save_endpoint, save_section, texts};
use crate::helpers::*;

#[sqlx::test]
async fn contradictions_between_parts_are_warned_beside_their_fields(db: PgPool) {
    let app = TestApp::spawn(db.clone()).await;
    let (partner, id) = partner_with_integration(&app, "Loans Co", "dev@loans.example").await;
    let codes = [
        ("sc_code", "ERR001"),
        ("sc_message", "Request Failed"),
        ("sc_http_status", "400"),
        ("sc_meaning", "Bad input"),
    ];
    let saved = save_section(&partner, id, "status_codes", &codes).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let endpoint = add_endpoint(&partner, id, "Repay", "POST", "/loans/{id}/payments").await;
    let fields = [
        ("name", "Repay"),
        ("method", "POST"),
        ("path", "/loans/{id}/payments"),
        ("body_format", "json"),
        ("param_name", "amount"),
        ("param_in", "body"),
        ("param_type", "number"),
        ("param_required", "yes"),
        ("param_description", "In rupees"),
        ("param_example", "100"),
        ("request_example", r#"{"amt": 100}"#),
        ("error_status", "400"),
        ("error_code", "ERR002"),
        ("error_description", "Loan closed"),
        ("error_example", r#"{"code": "ERR002"}"#),
    ];
    let saved = save_endpoint(&partner, id, endpoint, &fields).await;
    assert_eq!(
        saved.status(),
        StatusCode::SEE_OTHER,
        "a warning never stops a save"
    );
    let (_, html) = partner
        .page(&format!("/integrations/{id}/endpoints/{endpoint}"))
        .await;
    let warnings = texts(&unescape(&html), "p.cross-check");
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    assert!(
        warnings[0].contains("{id}"),
        "beside the path: {warnings:?}"
    );
    assert!(warnings[1].contains("amt"), "{warnings:?}");
    assert!(warnings[2].contains("amount"), "{warnings:?}");
    assert!(warnings[3].starts_with("ERR002 is not in the integration's status-code table"));

    // Put right on both sides, the warnings go.
    let mut fixed = fields.to_vec();
    fixed[2] = ("path", "/loans/payments");
    fixed[10] = ("request_example", r#"{"amount": 100}"#);
    fixed[12] = ("error_code", "ERR001");
    let saved = save_endpoint(&partner, id, endpoint, &fixed).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, html) = partner
        .page(&format!("/integrations/{id}/endpoints/{endpoint}"))
        .await;
    assert!(texts(&html, "p.cross-check").is_empty());
}
