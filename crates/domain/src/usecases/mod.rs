//! Use cases: business rules written against the ports.

pub mod briefing;
pub mod catalog;
pub mod chat;
pub mod connect;
pub mod dashboard;
pub mod fatsecret;
pub mod food;
pub mod inbox;
pub mod privacy;
pub mod profile;
pub mod routine;
pub mod tasks;
pub mod today;
pub mod whoop;
