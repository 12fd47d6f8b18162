//! The Fluent bundles, one per language, and the one way to format a message.

use std::borrow::Cow;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use thiserror::Error;
use unic_langid::LanguageIdentifier;
use wellness_domain::model::{Locale, Nutrients};

/// The resources, one file per language.
pub(crate) const SOURCES: [(Locale, &str, &str); 2] = [
    (Locale::En, "en", include_str!("../locales/en.ftl")),
    (Locale::Uk, "uk", include_str!("../locales/uk.ftl")),
];

/// A resource file could not be loaded (a syntax error, a message defined twice).
#[derive(Debug, Error)]
pub enum TextsError {
    /// The file does not parse.
    #[error("locales/{file}.ftl does not parse: {errors}")]
    Syntax {
        /// Which file.
        file: &'static str,
        /// What the parser said.
        errors: String,
    },
    /// The bundle refused an entry (a duplicate id).
    #[error("locales/{file}.ftl: {errors}")]
    Bundle {
        /// Which file.
        file: &'static str,
        /// What the bundle said.
        errors: String,
    },
    /// A language tag of ours does not parse (cannot happen with the tags above).
    #[error("language tag {0}: {1}")]
    Language(&'static str, String),
}

/// One argument of a message: a name and a value (a number selects plural forms).
pub type Arg<'a> = (&'a str, FluentValue<'a>);

/// Everything the bot says, loaded once; cheap to share (`Send + Sync`).
pub struct Texts {
    en: FluentBundle<FluentResource>,
    uk: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Texts")
    }
}

impl Texts {
    /// Parses the embedded resources. Fails only on a broken resource file, which the tests
    /// catch before a release.
    pub fn load() -> Result<Self, TextsError> {
        let [(_, en_tag, en), (_, uk_tag, uk)] = SOURCES;
        Ok(Self {
            en: bundle(en_tag, en)?,
            uk: bundle(uk_tag, uk)?,
        })
    }

    /// The embedded texts, loaded on first use, for adapters that speak without a presenter
    /// handed to them (the built-in assistant). Should the resources not load (the tests make
    /// sure they do), every message shows as its id instead of failing a reply.
    pub fn embedded() -> &'static Texts {
        static TEXTS: std::sync::OnceLock<Texts> = std::sync::OnceLock::new();
        TEXTS.get_or_init(|| Texts::load().unwrap_or_else(|_| Texts::empty()))
    }

    /// Texts with no messages: every message shows as its id.
    fn empty() -> Self {
        let bundle = || {
            let mut b = FluentBundle::new_concurrent(vec![LanguageIdentifier::default()]);
            b.set_use_isolating(false);
            b
        };
        Self {
            en: bundle(),
            uk: bundle(),
        }
    }

    fn bundle(&self, locale: Locale) -> &FluentBundle<FluentResource> {
        match locale {
            Locale::En => &self.en,
            Locale::Uk => &self.uk,
        }
    }

    /// The message `id` in `locale` with `args`. A missing message or argument shows as its id
    /// (the tests make sure none is missing), never as an empty reply.
    pub fn t(&self, locale: Locale, id: &str, args: &[Arg<'_>]) -> String {
        let bundle = self.bundle(locale);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if errors.is_empty() {
            text.into_owned()
        } else {
            id.to_owned()
        }
    }

    /// The same as [`Texts::t`] for a message without arguments.
    pub fn plain(&self, locale: Locale, id: &str) -> String {
        self.t(locale, id, &[])
    }

    /// Whether `id` exists in every language (for the tests of ids used in code).
    pub fn has(&self, id: &str) -> bool {
        self.en.has_message(id) && self.uk.has_message(id)
    }
}

fn bundle(tag: &'static str, source: &str) -> Result<FluentBundle<FluentResource>, TextsError> {
    let language: LanguageIdentifier = tag
        .parse()
        .map_err(|e| TextsError::Language(tag, format!("{e}")))?;
    let resource =
        FluentResource::try_new(source.to_owned()).map_err(|(_, errors)| TextsError::Syntax {
            file: tag,
            errors: format!("{errors:?}"),
        })?;
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    // Telegram shows the Unicode isolation marks Fluent puts around arguments by default.
    bundle.set_use_isolating(false);
    bundle
        .add_resource(resource)
        .map_err(|errors| TextsError::Bundle {
            file: tag,
            errors: format!("{errors:?}"),
        })?;
    Ok(bundle)
}

/// A text argument.
pub fn text<'a>(name: &'a str, value: impl Into<Cow<'a, str>>) -> Arg<'a> {
    (name, FluentValue::String(value.into()))
}

/// `kcal`, `protein`, `fat` and `carbs` of food (rounded as the quantities show themselves).
pub fn nutrient_args(n: &Nutrients) -> [Arg<'static>; 4] {
    [
        text("kcal", n.kcal.to_string()),
        text("protein", n.protein.to_string()),
        text("fat", n.fat.to_string()),
        text("carbs", n.carbs.to_string()),
    ]
}

/// A number argument (selects plural forms; shown as Rust shows the number: 20.5, 1350).
pub fn number(name: &str, value: impl Into<f64>) -> Arg<'_> {
    (name, FluentValue::from(value.into()))
}
