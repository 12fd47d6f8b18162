#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The texts: both languages carry the same messages, and what the bot says reads right.

mod briefing_flows;
mod conversation;
mod forms;
mod resources;
