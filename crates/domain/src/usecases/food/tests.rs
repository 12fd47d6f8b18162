use super::*;

#[test]
fn typed_grams_accept_plain_numbers_and_gram_units_only() {
    assert_eq!(typed_grams("150").map(Grams::get), Some(150.0));
    assert_eq!(typed_grams(" 150 g ").map(Grams::get), Some(150.0));
    assert_eq!(typed_grams("150г").map(Grams::get), Some(150.0));
    assert_eq!(typed_grams("12,5 грам").map(Grams::get), Some(12.5));
    assert_eq!(typed_grams("2 eggs"), None);
    assert_eq!(typed_grams("0"), None);
    assert_eq!(typed_grams("hello"), None);
}
