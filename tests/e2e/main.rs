//! End-to-end: the real `wellness` binary, the real PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod barcode;
mod briefings;
mod chat;
mod compose;
mod fatsecret;
mod flood;
mod food;
mod foundation;
mod grounding;
mod labels;
mod mini_app;
mod mini_app_connect;
mod mini_app_page;
mod own_foods;
mod sandbox;
mod security;
mod source_rules;
mod telegram;
mod whoop;
