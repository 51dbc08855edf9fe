//! The web face: read-only HTML pages and a JSON API over the stored facts (issue 15), served by
//! `chiso serve` and, beside `/healthz`, `/metrics` and `/feed.atom`, by `chiso run`.
//!
//! Routes are an axum [`Router`] served on the daemon's hardened hyper listener
//! (`daemon::http`). Handlers only read: every one goes through `query::view` (the same series
//! rules as `chiso trend`) and the store's read queries, and none writes to the database. Pages
//! are rendered on the server with every stored string escaped (`html::esc`); they carry no
//! script and load nothing from elsewhere.

pub mod api;
pub mod chart;
pub mod html;
pub mod pages;

use crate::gazetteer::Gazetteer;
use crate::query::view::ViewError;
use crate::store::Store;
use crate::taxonomy::Taxonomy;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// What every handler reads from.
#[derive(Clone)]
pub struct Web {
    /// The database (read only).
    pub store: Arc<dyn Store>,
    /// Area names and codes for the search, fetched on the first request that needs them
    /// (`Gazetteer::embedded`): the daemon's listener does not make an idle daemon parse the
    /// gazetteer.
    pub gazetteer: fn() -> &'static Gazetteer,
    /// Indicator names.
    pub taxonomy: &'static Taxonomy,
}

/// The pages and the API.
pub fn router(web: Web) -> Router {
    Router::new()
        .route("/", get(pages::home))
        .route("/areas", get(pages::areas))
        .route("/area/{code}", get(pages::area))
        .route("/indicator/{key}", get(pages::indicator))
        .route("/article/{id}", get(pages::article))
        .route("/api/areas", get(api::areas))
        .route("/api/series", get(api::series))
        .route("/api/plan-vs-actual", get(api::plan_vs_actual))
        .route("/api/ranking", get(api::ranking))
        .route("/api/reports", get(api::reports))
        .route("/api/articles/{id}", get(api::article))
        .route("/api/sources", get(api::sources))
        .with_state(web)
}

/// The pages and the API with an HTML 404 page for every other path (`chiso serve`).
pub fn site(web: Web) -> Router {
    router(web).fallback(pages::not_found)
}

/// The HTTP status of a view error.
fn status_of(e: &ViewError) -> StatusCode {
    match e {
        ViewError::NotFound(_) => StatusCode::NOT_FOUND,
        ViewError::BadRequest(_) => StatusCode::BAD_REQUEST,
        ViewError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// An HTML page with a status.
fn html_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}
