#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The jobs crate: tick claims across instances (real PostgreSQL), retries, the built-in jobs
//! and the apalis wiring.

mod briefings;
mod claims;
mod cleanup;
mod fakes;
mod retries;
mod scheduler;
