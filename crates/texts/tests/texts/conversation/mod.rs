//! Whole conversations, read in the words the user sees.

mod commands;
mod food;
mod labels;
