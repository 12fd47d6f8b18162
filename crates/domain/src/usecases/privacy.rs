//! GDPR: the food entries as CSV (the JSON document comes from the `UserData` port).

use crate::model::FoodEntry;

/// Quotes a CSV field when it needs it (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Every entry, one line each, with a header.
pub fn food_csv(entries: &[FoodEntry]) -> String {
    let mut out = String::from(
        "date,logged_at,meal,name,grams,kcal,protein_g,fat_g,carbs_g,source,nutrition_source,status\n",
    );
    for e in entries {
        let n = &e.nutrients;
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{}\n",
            e.local_date,
            e.logged_at.to_rfc3339(),
            e.meal.code(),
            field(&e.name),
            e.grams.get(),
            n.kcal.get(),
            n.protein.get(),
            n.fat.get(),
            n.carbs.get(),
            e.source.code(),
            e.nutrition_source.code(),
            e.status.code(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_commas_and_quotes_are_quoted() {
        assert_eq!(field("eggs"), "eggs");
        assert_eq!(field("bread, rye"), "\"bread, rye\"");
        assert_eq!(field("\"big\" egg"), "\"\"\"big\"\" egg\"");
    }
}
