//! Use cases: business rules written against the ports.

pub mod profile;
pub mod today;
