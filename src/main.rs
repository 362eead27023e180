//! The DCS cache-analysis console: a Leptos client-side app built by Trunk.
//!
//! `main` only mounts [`app::App`]; see `app.rs` for the routes and `api.rs` for the HTTP client.

mod api;
mod app;
mod auth;
mod charts;
mod components;
mod fetch;
mod format;
mod json;
mod keytable;
mod lfu;
mod pages;
mod prefix_tree;
mod router;
mod thresholds;
mod wire;

#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
#[cfg(all(test, target_arch = "wasm32"))]
mod wire_tests;

fn main() {
    auth::adopt_token_from_url();
    auth::adopt_token_on_hash_change();
    leptos::mount::mount_to_body(app::App);
}
