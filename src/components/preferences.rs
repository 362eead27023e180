//! The header's language and theme switches, both remembered in local storage.
//!
//! The app itself renders English; `i18n/translate.js` (outside the wasm bundle) translates the
//! page when 简体中文 is chosen, so switching language reloads the page. The theme applies at
//! once through `data-theme` on `<html>` (the stylesheet follows the system when it is absent).

use leptos::prelude::*;

const LANG_KEY: &str = "dcs-console-lang";
const THEME_KEY: &str = "dcs-console-theme";

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok()?
}

fn stored(key: &str) -> String {
    storage()
        .and_then(|s| s.get_item(key).ok()?)
        .unwrap_or_default()
}

fn store(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

#[component]
pub fn Preferences() -> impl IntoView {
    let lang = stored(LANG_KEY);
    let theme = stored(THEME_KEY);
    let set_lang = |ev| {
        store(LANG_KEY, &event_target_value(&ev));
        crate::auth::reload();
    };
    let set_theme = |ev| {
        let value = event_target_value(&ev);
        store(THEME_KEY, &value);
        if let Some(root) = document().document_element() {
            let _ = match value.as_str() {
                "light" | "dark" => root.set_attribute("data-theme", &value),
                _ => root.remove_attribute("data-theme"),
            };
        }
    };
    view! {
        <div class="preferences">
            <label class="inline">
                "Language" <select data-testid="language" on:change=set_lang>
                    <option value="en" selected=lang != "zh-CN" translate="no">
                        "English"
                    </option>
                    <option value="zh-CN" selected=lang == "zh-CN" translate="no" lang="zh-CN">
                        "简体中文"
                    </option>
                </select>
            </label>
            <label class="inline">
                "Theme" <select data-testid="theme" on:change=set_theme>
                    <option value="" selected=theme.is_empty()>
                        "System"
                    </option>
                    <option value="light" selected=theme == "light">
                        "Light"
                    </option>
                    <option value="dark" selected=theme == "dark">
                        "Dark"
                    </option>
                </select>
            </label>
        </div>
    }
}
