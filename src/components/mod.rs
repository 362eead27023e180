//! Building blocks shared by pages.

pub mod error_banner;
pub mod header;
pub mod sign_in;
