//! Where an instance's page is: the trail back to the instances with the instance's name, the
//! tabs between its analyses, and the document's title naming both.

use crate::api::paths;
use crate::fetch::fetch;
use dcs_api::TaskKind;
use leptos::prelude::*;

/// A tab's label (the instances page links with the same words).
pub fn label(kind: TaskKind) -> &'static str {
    match kind {
        TaskKind::Hotkey => "Hot keys",
        TaskKind::Bigkey => "Big keys",
        TaskKind::Expire => "Expired keys",
        TaskKind::Keyspace => "Key space",
    }
}

/// What the trail needs of `GET /instances/{id}`: only the name.
#[derive(Clone, PartialEq)]
struct Named {
    name: String,
}

impl crate::json::FromJson for Named {
    fn read(j: &crate::json::Json) -> crate::json::Read<Self> {
        Ok(Named {
            name: j.str("name")?,
        })
    }
}

#[component]
pub fn Crumbs(instance: Memo<String>, here: TaskKind) -> impl IntoView {
    let shown = fetch::<Named>(move || Some(paths::instance(&instance.get())));
    // The instance's name once known, its id until then (or when it cannot be read).
    let name = move || {
        shown
            .get()
            .and_then(|s| s.ok())
            .map_or_else(|| instance.get(), |s| s.name)
    };
    Effect::new(move |_| document().set_title(&format!("{} · {}", label(here), name())));
    let tabs = TaskKind::ALL
        .iter()
        .map(|&k| {
            let href = move || format!("/instances/{}/{}", instance.get(), k.plural());
            view! {
                <a href=href aria-current=(k == here).then_some("page")>
                    {label(k)}
                </a>
            }
        })
        .collect_view();
    view! {
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Instances"</a>
            " / "
            <span translate="no" data-testid="instance-name">
                {name}
            </span>
        </nav>
        <nav class="tabs" aria-label="Analyses" data-testid="analysis-tabs">
            {tabs}
        </nav>
    }
}
