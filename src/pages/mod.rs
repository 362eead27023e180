//! One file per route.

pub mod analysis;
pub mod instances;
pub mod not_found;
pub mod settings;
