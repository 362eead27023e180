//! The console's router: the page is the location's path. Links are plain `<a href="/…">`s,
//! taken over on click so the app does not reload; back and forward arrive as `popstate`.
//!
//! Written here instead of using `leptos_router`: the console has a handful of routes, and the
//! router crate cost about 20 KB of the 250 KB wasm budget (measured with twiggy) — the room the
//! key-space page needed.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// The current path (`/instances/orders/hotkeys`), shared through the context.
#[derive(Clone, Copy)]
pub struct Location(RwSignal<String>);

fn current_path() -> String {
    window()
        .location()
        .pathname()
        .unwrap_or_else(|_| "/".into())
}

impl Location {
    /// The path, tracked.
    pub fn path(&self) -> String {
        self.0.get()
    }

    /// The path's `i`-th segment, tracked (`/instances/orders/hotkeys`: 1 is `orders`).
    pub fn segment(&self, i: usize) -> Option<String> {
        self.0.with(|p| segments(p).get(i).map(|s| s.to_string()))
    }

    /// Goes to `path` (a new history entry), as a link does.
    pub fn navigate(&self, path: &str) {
        let _ = window()
            .history()
            .and_then(|h| h.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(path)));
        self.0.set(current_path());
        focus_heading();
    }
}

/// The path's non-empty segments.
pub fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Starts following the location: link clicks and the browser's back and forward. Call once.
pub fn provide_location() -> Location {
    let location = Location(RwSignal::new(current_path()));
    provide_context(location);
    // The listeners live as long as the page.
    std::mem::forget(window_event_listener(leptos::ev::popstate, move |_| {
        location.0.set(current_path());
        focus_heading();
    }));
    std::mem::forget(window_event_listener(leptos::ev::click, move |ev| {
        if let Some(path) = link_target(&ev) {
            ev.prevent_default();
            location.navigate(&path);
        }
    }));
    location
}

/// Once the new page has rendered, moves the focus to its heading, as a page load would start a
/// screen reader or keyboard user there.
fn focus_heading() {
    focus_after_render("#main h1");
}

/// Once what is being rendered is there, moves the focus to the first element `css` finds (made
/// focusable if it is not): a new page's heading, an opened panel's.
pub fn focus_after_render(css: &'static str) {
    request_animation_frame(move || {
        let target = document()
            .query_selector(css)
            .ok()
            .flatten()
            .and_then(|h| h.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(h) = target {
            let _ = h.set_attribute("tabindex", "-1");
            let _ = h.focus();
        }
    });
}

/// The app's path a click on a link leads to, when the app should handle it: a plain left
/// click on an `<a>` to a path of this origin, not opening elsewhere or downloading.
fn link_target(ev: &web_sys::MouseEvent) -> Option<String> {
    if ev.default_prevented()
        || ev.button() != 0
        || ev.meta_key()
        || ev.ctrl_key()
        || ev.shift_key()
        || ev.alt_key()
    {
        return None;
    }
    let a = ev
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??;
    let href = a.get_attribute("href")?;
    let own = href.starts_with('/') && !href.starts_with("//");
    (own && !a.has_attribute("target") && !a.has_attribute("download")).then_some(href)
}

/// The location the app follows.
pub fn use_location() -> Location {
    expect_context::<Location>()
}

#[cfg(test)]
mod tests {
    #[test]
    fn segments_skip_empty_parts() {
        assert_eq!(
            super::segments("/instances/orders/hotkeys/"),
            ["instances", "orders", "hotkeys"]
        );
        assert!(super::segments("/").is_empty());
    }
}
