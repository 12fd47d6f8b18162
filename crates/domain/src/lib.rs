//! The wellness domain: the model, the ports (traits) adapters implement, and the use cases.
//!
//! Nothing here performs IO: no runtime, no HTTP, no SQL. Adapters live in their own crates
//! and translate between the world and these types.

pub mod conversation;
pub mod grounding;
pub mod model;
pub mod ports;
pub mod reply;
pub mod retry;
#[cfg(any(test, feature = "mock"))]
pub mod testing;
pub mod usecases;

pub use model::*;
