//! Every console flow of issue #6 in real Chromium against the real proxy and real Redis. One
//! test binary (one link) with a module per area; each test owns its whole stack.

mod appearance;
mod big_keys;
mod deploy;
mod expired;
mod hot_keys;
mod key_details;
mod key_space;
mod restart;
mod schedules;
mod seed;
mod sign_in;
mod static_hosting;
mod stop;
mod where_am_i;
