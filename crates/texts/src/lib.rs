//! Everything the bot says, in Ukrainian and English.
//!
//! The texts are Fluent resources (`locales/en.ftl`, `locales/uk.ftl`, embedded at build time);
//! plural forms come from CLDR through `fluent-bundle`'s plural rules, so "1 запис, 2 записи,
//! 5 записів" needs no hand-written rule. The domain hands over typed replies; [`Texts`]
//! renders them. Numbers are always passed in from data, never written into a message.

mod bundle;

pub use bundle::{Arg, Texts, TextsError, number, text};
