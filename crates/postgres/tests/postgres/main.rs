#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The PostgreSQL adapters against the real server, each test in a database of its own.

mod budget;
mod contracts;
mod fixtures;
mod flood;
mod food;
mod inbox;
mod misc;
mod outbox;
mod pending;
mod personal;
mod privacy;
mod rotation;
mod schema;
mod tasks;
mod throttle;
mod tls;
mod wearable;
