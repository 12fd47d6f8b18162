//! The words of the pages a browser shows after a connect link: typed outcomes of the
//! domain's connect flow in the user's language. The HTML around them is the app's template.

use wellness_domain::model::{Locale, Provider, StateRejected};
use wellness_domain::usecases::connect::{Confirmation, ConnectionOutcome, ConnectionPage};

use crate::bundle::{Texts, text};

/// A page's words: a heading, a line, and where to go next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageText {
    /// The page's language (`lang` of the document).
    pub lang: &'static str,
    /// The heading (and title).
    pub heading: String,
    /// What happened and what to do.
    pub body: String,
    /// "You can close this page" (or the sandbox's "back" link text).
    pub next: String,
    /// The label of the page's one button, when it has one ("Continue to WHOOP").
    pub action: Option<String>,
}

impl Texts {
    /// The page after a step of the connect flow. `sandbox`: the person came from the sandbox
    /// chat page, which is where they go back to.
    pub fn connection_page(&self, page: &ConnectionPage, sandbox: bool) -> PageText {
        let locale = page.locale;
        let provider = page.provider.to_string();
        let command = format!("/connect_{}", page.provider.code());
        let args = [text("provider", provider), text("command", command)];
        let failed = || self.t(locale, "page-failed", &args);
        let (heading, body) = match page.outcome {
            ConnectionOutcome::Connected => match page.provider {
                Provider::Whoop => (
                    self.plain(locale, "page-connected-whoop"),
                    self.plain(locale, "page-connected-whoop-body"),
                ),
                Provider::Fatsecret => (
                    self.plain(locale, "page-connected-fatsecret"),
                    self.plain(locale, "page-connected-fatsecret-body"),
                ),
            },
            ConnectionOutcome::Declined => (failed(), self.t(locale, "page-declined", &args)),
            ConnectionOutcome::Rejected(why) => {
                let id = match why {
                    StateRejected::Expired => "page-link-expired",
                    StateRejected::AlreadyUsed => "page-link-used",
                    StateRejected::Unknown => "page-link-unknown",
                    StateRejected::OtherBrowser => "page-link-other-browser",
                };
                (failed(), self.t(locale, id, &args))
            }
            ConnectionOutcome::AccountTaken => {
                (failed(), self.t(locale, "page-account-taken", &args))
            }
            ConnectionOutcome::ProviderFailed => {
                (failed(), self.t(locale, "page-provider-failed", &args))
            }
            ConnectionOutcome::Busy => (failed(), self.t(locale, "page-busy", &args)),
        };
        PageText {
            lang: locale.code(),
            heading,
            body,
            next: self.next_step(locale, sandbox),
            action: None,
        }
    }

    /// The page a connect link opens on: which Telegram account it connects, and Continue.
    pub fn confirmation_page(&self, confirmation: &Confirmation, sandbox: bool) -> PageText {
        let locale = confirmation.locale;
        let args = [
            text("provider", confirmation.provider.to_string()),
            text("name", confirmation.first_name.clone()),
        ];
        PageText {
            lang: locale.code(),
            heading: self.t(locale, "page-confirm", &args),
            body: self.t(locale, "page-confirm-body", &args),
            next: self.next_step(locale, sandbox),
            action: Some(self.t(locale, "page-continue", &args)),
        }
    }

    /// The page for a provider this server has no app registered with (English: nobody's
    /// link leads here).
    pub fn not_configured_page(&self, provider: Provider, sandbox: bool) -> PageText {
        let locale = Locale::En;
        let args = [text("provider", provider.to_string())];
        PageText {
            lang: locale.code(),
            heading: self.t(locale, "page-not-configured", &args),
            body: self.t(locale, "page-not-configured-body", &args),
            next: self.next_step(locale, sandbox),
            action: None,
        }
    }

    fn next_step(&self, locale: Locale, sandbox: bool) -> String {
        if sandbox {
            self.plain(locale, "page-back-to-sandbox")
        } else {
            self.plain(locale, "page-close")
        }
    }
}
