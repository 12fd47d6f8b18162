//! Simulators of the external services the wellness bot talks to, over real HTTP, for
//! end-to-end tests, benchmarks and the local sandbox.
//!
//! Each service is a module of the same shape with its own server type: [`telegram`],
//! [`whoop`], [`fatsecret`], [`openai`], [`openfoodfacts`]. They start the same way (`serve`).

pub mod fatsecret;
mod faults;
pub mod openai;
pub mod openfoodfacts;
mod serve;
pub mod telegram;
pub mod whoop;

pub use serve::CONTROL_TOKEN_HEADER;
