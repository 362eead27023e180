//! Building blocks shared by pages.

pub mod config_problem;
pub mod crumbs;
pub mod data_table;
pub mod error_banner;
pub mod header;
pub mod key_panel;
pub mod key_table;
pub mod loaded;
pub mod pace_choice;
pub mod pager;
pub mod poll;
pub mod preferences;
pub mod schedule_editor;
pub mod sign_in;
pub mod task_status;
