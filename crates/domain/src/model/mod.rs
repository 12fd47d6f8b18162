//! The model of the whole mission: people, food, wearable records, conversations and plumbing.

mod conversation;
mod credentials;
mod food;
mod ids;
mod inbound;
mod inbox;
mod notification;
mod oauth;
mod personal;
mod product;
mod quantity;
mod time;
mod unit;
mod user;
mod wearable;

pub use conversation::*;
pub use credentials::*;
pub use food::*;
pub use ids::*;
pub use inbound::*;
pub use inbox::*;
pub use notification::*;
pub use oauth::*;
pub use personal::*;
pub use product::*;
pub use quantity::*;
pub use time::*;
pub use unit::*;
pub use user::*;
pub use wearable::*;
