//! The texts: both languages carry the same messages, and what the bot says reads right.

mod resources;
