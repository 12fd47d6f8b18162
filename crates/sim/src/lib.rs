//! Simulators of the external services the wellness bot talks to, over real HTTP, for
//! end-to-end tests, benchmarks and the local sandbox.
//!
//! Each service is a module with its own server type; today there is [`telegram`]. Siblings
//! (WHOOP, FatSecret, OpenAI) belong here as modules of the same shape.

pub mod fatsecret;
pub mod openai;
pub mod telegram;
pub mod whoop;
