//! Comparisons of secrets that take the same time whatever the input: the domain's one
//! function, re-exported for the routes.

pub use wellness_domain::constant_time_eq;
