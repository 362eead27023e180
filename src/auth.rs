//! Sign-in: the console token travels as `#token=…` in the URL the proxy prints. It is moved to
//! the browser's local storage (every tab signed in, until Sign out) and removed from the address
//! bar at once, so it does not linger in history.

use crate::api::TOKEN_KEY;

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// `#token=abc&x=1` → `abc`.
pub fn token_from_fragment(hash: &str) -> Option<String> {
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|kv| kv.strip_prefix("token="))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// Takes a token from the URL fragment, if there is one, and says whether it did.
pub fn adopt_token_from_url() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let location = window.location();
    let Some(token) = location
        .hash()
        .ok()
        .as_deref()
        .and_then(token_from_fragment)
    else {
        return false;
    };
    save_token(&token);
    let clean = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
    }
    true
}

/// A console link pasted into an open tab only changes the fragment (no page load): adopt its
/// token then, and start afresh with it.
pub fn adopt_token_on_hash_change() {
    let listener = leptos::prelude::window_event_listener(leptos::ev::hashchange, |_| {
        if adopt_token_from_url() {
            reload();
        }
    });
    // For the page's whole life.
    std::mem::forget(listener);
}

pub fn reload() {
    if let Some(w) = web_sys::window() {
        let _ = w.location().reload();
    }
}

pub fn save_token(token: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(TOKEN_KEY, token.trim());
    }
}

/// Forgets the token in every tab of this browser, and starts afresh (at the sign-in prompt).
pub fn sign_out() {
    if let Some(s) = storage() {
        let _ = s.remove_item(TOKEN_KEY);
    }
    reload();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragment_parsing() {
        assert_eq!(token_from_fragment("#token=abc123"), Some("abc123".into()));
        assert_eq!(token_from_fragment("#x=1&token=t"), Some("t".into()));
        assert_eq!(token_from_fragment("#token="), None);
        assert_eq!(token_from_fragment(""), None);
    }
}
