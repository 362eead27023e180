//! The trail above an instance's page: back to the instances, then the instance.

use leptos::prelude::*;

#[component]
pub fn Crumbs(instance: Memo<String>) -> impl IntoView {
    view! {
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/">"Instances"</a>
            " / "
            {move || instance.get()}
        </nav>
    }
}
