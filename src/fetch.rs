//! Loading API data into a page: a GET that re-runs when what its path reads changes, decoded
//! as the page's type.
//!
//! Every such GET shares one non-generic `LocalResource` (each distinct `LocalResource` type
//! costs about 8 KB of wasm, measured with twiggy); only the decoding step, in a `Memo`, is per
//! type.

use crate::api::{decode, Api, ApiError};
use crate::json::FromJson;
use leptos::prelude::*;

/// Status and body text of one GET; `None` when there was nothing to fetch.
type Raw = Option<Result<(u16, String), ApiError>>;

/// What [`fetch`] returns: `Copy`, like the signals it wraps.
pub struct Fetched<T: Send + Sync + 'static> {
    raw: LocalResource<Raw>,
    value: Memo<Option<Option<Result<T, ApiError>>>>,
}

impl<T: Send + Sync + 'static> Clone for Fetched<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for Fetched<T> {}

impl<T: Clone + PartialEq + Send + Sync + 'static> Fetched<T> {
    /// `None` while loading (or when there is nothing to fetch); tracked.
    pub fn get(&self) -> Option<Result<T, ApiError>> {
        self.value.get().flatten()
    }

    pub fn get_untracked(&self) -> Option<Result<T, ApiError>> {
        self.value.get_untracked().flatten()
    }

    /// `None` while loading, `Some(None)` when the path said there is nothing to fetch.
    pub fn get_optional(&self) -> Option<Option<Result<T, ApiError>>> {
        self.value.get()
    }

    pub fn refetch(&self) {
        self.raw.refetch()
    }
}

/// GETs `path()` (re-run whenever the signals `path` reads change; `None`: nothing to fetch)
/// and decodes the answer as `T`.
pub fn fetch<T>(path: impl Fn() -> Option<String> + 'static) -> Fetched<T>
where
    T: FromJson + Clone + PartialEq + Send + Sync + 'static,
{
    fetch_with(path, decode::<T>)
}

/// [`fetch`] with a decoder of one's own (e.g. to a view model).
pub fn fetch_with<T>(
    path: impl Fn() -> Option<String> + 'static,
    read: fn(u16, &str) -> Result<T, ApiError>,
) -> Fetched<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let raw = raw_get(Box::new(path));
    let value = Memo::new(move |_| {
        raw.with(|r| {
            r.as_ref().map(|r| {
                r.as_ref().map(|r| match r {
                    Ok((status, text)) => read(*status, text),
                    Err(e) => Err(e.clone()),
                })
            })
        })
    });
    Fetched { raw, value }
}

#[inline(never)]
fn raw_get(path: Box<dyn Fn() -> Option<String>>) -> LocalResource<Raw> {
    let api = expect_context::<Api>();
    LocalResource::new(move || {
        let (api, path) = (api.clone(), path());
        async move {
            match path {
                Some(p) => Some(api.fetch("GET", &p, None).await),
                None => None,
            }
        }
    })
}
