//! The user's own foods: which food was meant, as last time, usual portions, saved products.

use wellness_domain::model::{Locale, SavedProduct};
use wellness_domain::reply::Say;

use crate::bundle::{Texts, nutrient_args, text};

impl Texts {
    pub(crate) fn personal(&self, locale: Locale, say: &Say) -> Option<String> {
        Some(match say {
            Say::ChooseFood { said, candidates } => {
                let mut lines = vec![self.t(locale, "choose-food", &[text("said", said.as_str())])];
                lines.extend(candidates.iter().map(|(name, kcal)| {
                    self.t(
                        locale,
                        "choose-food-candidate",
                        &[text("name", name.as_str()), text("kcal", kcal.to_string())],
                    )
                }));
                lines.join("\n")
            }
            Say::AsLastTime { names } => {
                self.t(locale, "as-last-time", &[text("names", names.join("; "))])
            }
            Say::UsualPortion { name, grams } => self.t(
                locale,
                "usual-portion",
                &[
                    text("name", name.as_str()),
                    text("grams", grams.to_string()),
                ],
            ),
            Say::ChoiceGone => self.plain(locale, "choice-gone"),
            Say::ProductSaved(p) => self.product(locale, "product-saved", p),
            Say::Products(products) if products.is_empty() => self.plain(locale, "no-products"),
            Say::Products(products) => {
                let mut lines = vec![self.plain(locale, "products-heading")];
                lines.extend(
                    products
                        .iter()
                        .map(|p| self.product(locale, "product-line", p)),
                );
                lines.join("\n")
            }
            Say::ProductDeleted { name } => {
                self.t(locale, "product-deleted", &[text("name", name.as_str())])
            }
            Say::ProductGone => self.plain(locale, "product-gone"),
            _ => return None,
        })
    }

    fn product(&self, locale: Locale, id: &str, p: &SavedProduct) -> String {
        let mut args = vec![text("name", p.name.as_str())];
        args.extend(nutrient_args(&p.per_100g));
        self.t(locale, id, &args)
    }
}
