//! A partner starts an integration from an OpenAPI file in a real headless Chromium: upload,
//! preview, import, and the endpoints are there.

use fantoccini::Locator;
use sqlx::PgPool;

use crate::browser::{Driver, click, sign_in_as, text_of, wait_for_text};
use crate::helpers::*;
use partner_portal::accounts::Role;

#[sqlx::test]
async fn a_partner_starts_from_an_openapi_file_in_a_browser(db: PgPool) {
    let company = create_company(&db, "Pet Supplies Ltd").await;
    create_user(&db, "meera@pets.example", Role::Partner, Some(company)).await;
    let app = TestApp::spawn(db.clone()).await;
    let base = format!("http://{}", app.addr);
    let driver = Driver::start().await;
    let browser = &driver.client;

    sign_in_as(&driver, &base, "meera@pets.example", PASSWORD).await;
    click(browser, "main a[href='/integrations/import']").await;
    driver.wait_for_path("/integrations/import").await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/openapi/petstore.yaml");
    browser
        .find(Locator::Css("#file"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    click(browser, "#import-form button[value=preview]").await;
    wait_for_text(&driver, "#preview", "3 new endpoints").await;
    assert!(text_of(browser, "#preview").await.contains("List all pets"));
    driver.screenshot("import-preview").await;
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM integrations")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(before, 0, "the preview writes nothing");

    click(browser, "#preview button[value=apply]").await;
    wait_for_text(
        &driver,
        "main",
        "Imported from OpenAPI 3.0.0: 3 endpoints added",
    )
    .await;
    assert!(
        text_of(browser, "main h1")
            .await
            .contains("Swagger Petstore")
    );
    assert!(
        text_of(browser, "#endpoints")
            .await
            .contains("Info for a specific pet")
    );
    driver.screenshot("import-done").await;
    driver.client.clone().close().await.unwrap();
}
