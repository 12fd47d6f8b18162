//! The ports: what the domain needs from the world. Adapter crates implement them.
//!
//! Every async port is an `#[async_trait]` trait usable as `dyn` object, with a mockall mock
//! (`Mock<Name>`) under `cfg(test)` or the `mock` feature.

mod audit;
mod authorization;
mod budget;
mod flood;
mod jobs;
mod personal;
mod privacy;
mod products;
mod repositories;
mod services;
mod tasks;
mod throttle;

pub use audit::*;
pub use authorization::*;
pub use budget::*;
pub use flood::*;
pub use jobs::*;
pub use personal::*;
pub use privacy::*;
pub use products::*;
pub use repositories::*;
pub use services::*;
pub use tasks::*;
pub use throttle::*;
