//! The whole portal as one Router: every product area's routes inside the layers `web` shares.
//! The one place that knows every area.

use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;

use crate::{
    AppState, accounts, api, chasing, dashboard, insights, intake, interop, mock, review, settings,
    staging, web,
};

/// Served by the binary and by the tests alike.
pub fn app(state: AppState) -> Router {
    let config = state.config.clone();
    let mock = mock::MockRuntime::new(&config);
    let forms = Router::new()
        .merge(dashboard::router())
        .merge(accounts::router())
        .merge(settings::router())
        .merge(intake::router())
        .merge(review::router())
        .merge(mock::pages(mock.clone()))
        .merge(chasing::router())
        .merge(insights::router())
        .merge(staging::router())
        .merge(interop::router())
        .merge(api::pages())
        .layer(RequestBodyLimitLayer::new(config.max_body_bytes));
    let uploads = interop::upload_router(config.max_upload_bytes)
        .layer(RequestBodyLimitLayer::new(config.max_upload_bytes));
    let pages = web::pages(forms.merge(uploads), &state);
    // The mock takes request bodies up to an example's size; its own check says so in JSON.
    let mock = mock::router(mock).layer(RequestBodyLimitLayer::new(config.max_body_bytes));
    let api = Router::new()
        .merge(mock)
        .merge(api::router().layer(RequestBodyLimitLayer::new(config.max_body_bytes)))
        .merge(
            api::upload_router(config.max_upload_bytes)
                .layer(RequestBodyLimitLayer::new(config.max_upload_bytes)),
        );
    web::around_everything(api.merge(pages), &state).with_state(state)
}
