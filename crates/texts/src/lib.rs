//! Everything the bot says, in Ukrainian and English.
//!
//! The texts are Fluent resources (`locales/en.ftl`, `locales/uk.ftl`, embedded at build time);
//! plural forms come from CLDR through `fluent-bundle`'s plural rules, so "1 запис, 2 записи,
//! 5 записів" needs no hand-written rule. The domain hands over typed replies ([`Reply`](
//! wellness_domain::reply::Reply)); [`Texts`] renders them as the
//! [`Presenter`](wellness_domain::ports::Presenter). Numbers are always passed in from data,
//! never written into a message.

mod briefing;
mod bundle;
mod calendar;
mod menu;
mod pages;
mod personal;
mod present;
mod today;

pub use bundle::{Arg, Texts, TextsError, number, text};
pub use pages::PageText;
