//! Fault drills: the real `wellness` binary killed, its database crashed, the services it calls
//! failing — and what must still hold. Each drill is described in docs/reliability.md; the long
//! ones are `#[ignore]`d and run by `make test-long`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod inbox_sigkill;
mod network;
mod outage_redrive;
mod postgres_restart;
mod provider_faults;
mod soak;
mod store;
mod timeouts;
mod whoop_sigkill;
mod world;
