//! Use cases: business rules written against the ports.

pub mod briefing;
pub mod chat;
pub mod food;
pub mod profile;
pub mod today;
pub mod whoop;
