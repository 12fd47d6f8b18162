//! Packaged products, found by their barcode: the barcode's own rules (length, check digit,
//! in-store codes) and what a product database tells of a product.

use serde::{Deserialize, Serialize};

use super::{Grams, Nutrients, NutritionSource};

/// A retail barcode (GTIN): EAN-13, EAN-8 or UPC-A digits with a correct check digit. In-store
/// codes (EAN-13 or UPC-A starting with 2: weighed goods, a shop's own numbers) are not
/// products anywhere but in that shop and cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Barcode(String);

/// Why digits are no barcode of a product.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    /// Not 8, 12 or 13 digits, or a wrong check digit.
    #[error("not an EAN-13, EAN-8 or UPC-A code: {0}")]
    Invalid(String),
    /// A shop's own code (prefix 2): weighed goods or in-store numbers.
    #[error("an in-store code: {0}")]
    InStore(String),
}

/// The GTIN check digit of `digits` (without it): weights 3 and 1 from the right, mod 10.
fn check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    u8::try_from((10 - sum % 10) % 10).unwrap_or(0)
}

impl Barcode {
    /// Validates `code` (digits only).
    pub fn new(code: &str) -> Result<Self, BarcodeError> {
        let invalid = || BarcodeError::Invalid(code.to_owned());
        if !matches!(code.len(), 8 | 12 | 13) || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
        let (body, check) = digits.split_at(digits.len() - 1);
        if check.first() != Some(&check_digit(body)) {
            return Err(invalid());
        }
        // EAN-13 20-29 and UPC-A number system 2 (EAN-13 020-029) are in-store; EAN-8 2 too.
        let gtin13 = if code.len() == 12 {
            format!("0{code}")
        } else {
            code.to_owned()
        };
        let in_store = match code.len() {
            8 => code.starts_with('2'),
            _ => gtin13.starts_with('2') || gtin13.starts_with("02"),
        };
        if in_store {
            return Err(BarcodeError::InStore(code.to_owned()));
        }
        Ok(Self(code.to_owned()))
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Barcode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A packaged product as a product database describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// Its barcode.
    pub barcode: Barcode,
    /// Its name, in the user's language when the database has it.
    pub name: String,
    /// Energy and macros per 100 g; `None` when the database has no calories for it.
    pub per_100g: Option<Nutrients>,
    /// Grams of one serving, when the package says.
    pub serving: Option<Grams>,
    /// Who gave the numbers.
    pub source: NutritionSource,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_digits_lengths_and_in_store_codes() {
        assert!(Barcode::new("4006381333931").is_ok());
        assert!(Barcode::new("96385074").is_ok());
        assert!(Barcode::new("036000291452").is_ok());
        assert_eq!(
            Barcode::new("4006381333932"),
            Err(BarcodeError::Invalid("4006381333932".into()))
        );
        assert!(matches!(
            Barcode::new("40063813339"),
            Err(BarcodeError::Invalid(_))
        ));
        assert!(matches!(
            Barcode::new("400638133393a"),
            Err(BarcodeError::Invalid(_))
        ));
        // 2 + 12 digits with a valid check digit: a shop's own code.
        assert_eq!(
            Barcode::new("2001234000000"),
            Err(BarcodeError::InStore("2001234000000".into()))
        );
        assert!(matches!(
            Barcode::new("212345678909"),
            Err(BarcodeError::InStore(_))
        ));
    }
}
