//! Pages of a long table: "Rows 201–400 of 1,000" with Previous and Next, shown only when there
//! is more than one page. The table renders one page, so thousands of rows stay quick and the
//! content after the table stays within reach.

use leptos::prelude::*;

/// The rows of page `page` (from 0) of `size` rows among `total`: `(first, end)`, end exclusive.
/// A page past the end (the rows became fewer) is the last page.
pub fn page_range(total: usize, size: usize, page: usize) -> (usize, usize) {
    let first = page.min(last_page(total, size)) * size;
    (first.min(total), (first + size).min(total))
}

/// The last page there is (from 0).
pub fn last_page(total: usize, size: usize) -> usize {
    total.saturating_sub(1) / size.max(1)
}

#[component]
pub fn Pager(
    total: Signal<usize>,
    size: usize,
    page: RwSignal<usize>,
    /// The test hook of the pager.
    testid: &'static str,
) -> impl IntoView {
    // Drawn once; only its text follows the rows (each reactive part costs the bundle). A press
    // past either end stays on the end page.
    let step = move |forward: bool| {
        let last = last_page(total.get_untracked(), size);
        page.update(|p| {
            *p = if forward {
                (*p + 1).min(last)
            } else {
                p.saturating_sub(1).min(last)
            }
        });
    };
    view! {
        <nav class="pager" aria-label="Pages" data-testid=testid>
            <button class="button" on:click=move |_| step(false)>
                "Previous"
            </button>
            <span class="muted">
                {move || {
                    let total = total.get();
                    let (first, end) = page_range(total, size, page.get());
                    format!("Rows {}–{end} of {total}", (first + 1).min(total))
                }}
            </span>
            <button class="button" on:click=move |_| step(true)>
                "Next"
            </button>
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_row_once() {
        assert_eq!(page_range(1_000, 200, 0), (0, 200));
        assert_eq!(page_range(1_000, 200, 4), (800, 1_000));
        assert_eq!(page_range(1_001, 200, 5), (1_000, 1_001));
        assert_eq!(
            page_range(10, 200, 3),
            (0, 10),
            "past the end: the last page"
        );
        assert_eq!(page_range(0, 200, 0), (0, 0));
        assert_eq!(last_page(1_000, 200), 4);
        assert_eq!(last_page(1_001, 200), 5);
        assert_eq!(last_page(0, 200), 0);
    }
}
