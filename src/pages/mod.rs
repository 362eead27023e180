//! One file per route.

pub mod expired;
pub mod instances;
pub mod keys;
pub mod keyspace;
pub mod not_found;
pub mod settings;
