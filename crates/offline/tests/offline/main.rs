//! The offline catalogue and rule assistant, as specifications.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod answers;
mod catalogue;
mod data_file;
mod interpret;
mod resolution;
mod robustness;
mod support;
