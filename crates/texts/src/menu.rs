//! Telegram's command menu and /help, from one list of commands.

use wellness_domain::conversation::Command;
use wellness_domain::model::Locale;

use crate::bundle::{Texts, text};

impl Texts {
    /// The commands shown in Telegram's menu, in [`Command::MENU`]'s order, with their
    /// descriptions in `locale`.
    pub fn command_menu(&self, locale: Locale) -> Vec<(&'static str, String)> {
        Command::MENU
            .iter()
            .map(|&command| (command, self.describe(locale, command)))
            .collect()
    }

    /// The text of the menu button that opens the Mini App.
    pub fn dashboard_menu_button(&self, locale: Locale) -> String {
        self.plain(locale, "menu-button-dashboard")
    }

    fn describe(&self, locale: Locale, command: &str) -> String {
        match command {
            "today" => self.plain(locale, "menu-today"),
            "goal" => self.plain(locale, "menu-goal"),
            "timezone" => self.plain(locale, "menu-timezone"),
            "language" => self.plain(locale, "menu-language"),
            "sync" => self.plain(locale, "menu-sync"),
            "briefing_time" => self.plain(locale, "menu-briefing-time"),
            "briefing_off" => self.plain(locale, "menu-briefing-off"),
            "briefing_on" => self.plain(locale, "menu-briefing-on"),
            "connect_whoop" => self.plain(locale, "menu-connect-whoop"),
            "connect_fatsecret" => self.plain(locale, "menu-connect-fatsecret"),
            "export" => self.plain(locale, "menu-export"),
            "products" => self.plain(locale, "menu-products"),
            "delete" => self.plain(locale, "menu-delete"),
            _ => self.plain(locale, "menu-help"),
        }
    }

    /// /help: every command but /help itself, one per line.
    pub(crate) fn help(&self, locale: Locale) -> String {
        let mut lines = vec![self.plain(locale, "help-intro")];
        for (command, description) in self.command_menu(locale) {
            if command != "help" {
                lines.push(self.t(
                    locale,
                    "help-line",
                    &[text("command", command), text("description", description)],
                ));
            }
        }
        lines.join("\n")
    }
}
