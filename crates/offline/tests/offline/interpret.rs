//! Reading messages into intents and foods.

use wellness_domain::Locale;
use wellness_domain::Meal;
use wellness_domain::ports::{Amount, Intent};
use wellness_offline::RuleAssistant;

use crate::support::{empty_context, foods, interpret, ready};

fn assert_foods(text: &str, expected: &[&str]) {
    assert_eq!(foods(text), expected, "reading {text:?}");
}

#[test]
fn logs_every_example_phrase_with_its_items_amounts_and_units() {
    let cases: &[(&str, &[&str])] = &[
        ("2 eggs", &["egg x2"]),
        ("200 г гречки", &["buckwheat 200 g"]),
        ("200g chicken breast", &["chicken breast 200 g"]),
        ("100g chicken breast", &["chicken breast 100 g"]),
        ("a cup of milk", &["milk x1 cup"]),
        ("склянка молока", &["milk x1 cup"]),
        ("a banana", &["banana x1"]),
        ("півтора банана", &["banana x1.5"]),
        ("пів банана", &["banana x0.5"]),
        ("два яйця", &["egg x2"]),
        ("три скибки хліба", &["white bread x3 slice"]),
        ("тарілка борщу", &["borscht x1 bowl"]),
        ("1.5 cups of rice", &["rice x1.5 cup"]),
        ("1,5 склянки кефіру", &["kefir x1.5 cup"]),
        ("кава з молоком", &["coffee with milk x1"]),
        (
            "2 herring under a fur coat",
            &["herring under a fur coat x2"],
        ),
    ];
    for (text, expected) in cases {
        assert_foods(text, expected);
        assert_eq!(interpret(text).intent, Intent::LogFood, "{text:?}");
    }
}

#[test]
fn two_eggs_and_a_slice_of_bread_for_breakfast_are_two_breakfast_items() {
    let reading = interpret("2 eggs and a slice of bread for breakfast");
    assert_eq!(reading.intent, Intent::LogFood);
    assert_eq!(
        foods("2 eggs and a slice of bread for breakfast"),
        ["egg x2 @breakfast", "white bread x1 slice @breakfast"]
    );
    assert!(
        reading
            .foods
            .iter()
            .all(|f| f.meal == Some(Meal::Breakfast))
    );
}

#[test]
fn keeps_the_users_words_and_looks_up_by_the_english_catalogue_name() {
    let reading = interpret("200 г гречки");
    let food = &reading.foods[0];
    assert_eq!(food.said, "гречки");
    assert_eq!(food.lookup_name, "buckwheat");
    assert_eq!(
        food.amount,
        Amount::Grams(wellness_domain::Grams::new(200.0).unwrap())
    );
    assert_eq!(interpret("Два Яйця").foods[0].said, "Яйця");
}

#[test]
fn meal_words_in_both_languages_set_the_meal() {
    let cases = [
        ("гречка на сніданок", Meal::Breakfast),
        ("на обід борщ", Meal::Lunch),
        ("на вечерю плов", Meal::Dinner),
        ("перекус: яблуко", Meal::Snack),
        ("oatmeal for breakfast", Meal::Breakfast),
        ("soup for lunch", Meal::Lunch),
        ("salmon and rice for dinner", Meal::Dinner),
        ("an apple as a snack", Meal::Snack),
    ];
    for (text, meal) in cases {
        let reading = interpret(text);
        assert!(!reading.foods.is_empty(), "{text:?}");
        assert!(
            reading.foods.iter().all(|f| f.meal == Some(meal)),
            "{text:?}: {:?}",
            reading.foods
        );
    }
    assert_eq!(
        interpret("2 eggs").foods[0].meal,
        None,
        "the domain picks a meal by the clock"
    );
}

#[test]
fn ukrainian_number_words_are_counts() {
    let cases = [
        ("один банан", 1.0),
        ("одна груша", 1.0),
        ("одне яйце", 1.0),
        ("два банани", 2.0),
        ("дві груші", 2.0),
        ("три яблука", 3.0),
        ("чотири яйця", 4.0),
        ("п'ять яєць", 5.0),
        ("пʼять яєць", 5.0),
        ("шість яєць", 6.0),
        ("сім сливи", 7.0),
        ("вісім фініків", 8.0),
        ("дев'ять горіхів", 9.0),
        ("десять мигдалю", 10.0),
        ("пів яблука", 0.5),
        ("півтори груші", 1.5),
        ("два з половиною банани", 2.5),
    ];
    for (text, count) in cases {
        let reading = interpret(text);
        assert_eq!(reading.foods.len(), 1, "{text:?}");
        assert!(
            matches!(&reading.foods[0].amount, Amount::Portions { count: c, .. } if (*c - count).abs() < 1e-9),
            "{text:?}: {:?}",
            reading.foods[0].amount
        );
    }
}

#[test]
fn english_number_words_are_counts() {
    let cases = [
        ("an apple", 1.0),
        ("one banana", 1.0),
        ("two eggs", 2.0),
        ("three apples", 3.0),
        ("four eggs", 4.0),
        ("five dates", 5.0),
        ("six almonds", 6.0),
        ("seven cherries", 7.0),
        ("eight prunes", 8.0),
        ("nine olives", 9.0),
        ("ten strawberries", 10.0),
        ("half a banana", 0.5),
        ("a couple of eggs", 2.0),
        ("one and a half bananas", 1.5),
    ];
    for (text, count) in cases {
        let reading = interpret(text);
        assert_eq!(reading.foods.len(), 1, "{text:?}");
        assert!(
            matches!(&reading.foods[0].amount, Amount::Portions { count: c, .. } if (*c - count).abs() < 1e-9),
            "{text:?}: {:?}",
            reading.foods[0].amount
        );
    }
}

#[test]
fn weights_and_volumes_become_grams() {
    let cases: &[(&str, &[&str])] = &[
        ("150 g rice", &["rice 150 g"]),
        ("150 г рису", &["rice 150 g"]),
        ("150 гр рису", &["rice 150 g"]),
        ("150 грам рису", &["rice 150 g"]),
        ("150 грамів рису", &["rice 150 g"]),
        ("0.5 kg potatoes", &["boiled potatoes 500 g"]),
        ("0,5 кг картоплі", &["boiled potatoes 500 g"]),
        ("330 ml cola", &["cola 330 g"]),
        ("500 мл кефіру", &["kefir 500 g"]),
        ("1 l milk", &["milk 1000 g"]),
        ("0,5 л пива", &["beer 500 g"]),
        ("chicken breast 200g", &["chicken breast 200 g"]),
        ("молоко 2,5% 200 мл", &["milk 200 g"]),
        ("кефір 1% склянка", &["kefir x1 cup"]),
        ("eggs x2", &["egg x2"]),
    ];
    for (text, expected) in cases {
        assert_foods(text, expected);
    }
}

#[test]
fn portion_units_in_both_languages_are_kept() {
    let cases: &[(&str, &[&str])] = &[
        ("a cup of tea", &["tea x1 cup"]),
        ("чашка кави", &["coffee x1 cup"]),
        ("2 slices of toast", &["toast x2 slice"]),
        ("шматок сала", &["salo x1 piece"]),
        ("3 шт яйця", &["egg x3 piece"]),
        ("2 штуки банана", &["banana x2 piece"]),
        ("2 pieces of chicken", &["chicken x2 piece"]),
        ("a tablespoon of honey", &["honey x1 tbsp"]),
        ("2 tbsp sour cream", &["sour cream x2 tbsp"]),
        ("ложка меду", &["honey x1 tbsp"]),
        ("столова ложка олії", &["sunflower oil x1 tbsp"]),
        ("2 ст. л. сметани", &["sour cream x2 tbsp"]),
        ("a teaspoon of sugar", &["sugar x1 tsp"]),
        ("чайна ложка цукру", &["sugar x1 tsp"]),
        ("2 tsp sugar", &["sugar x2 tsp"]),
        ("a bowl of oatmeal", &["oatmeal x1 bowl"]),
        ("миска вівсянки", &["oatmeal x1 bowl"]),
        ("тарілка гречки", &["buckwheat x1 bowl"]),
        ("a handful of almonds", &["almonds x1 handful"]),
        ("жменя горіхів", &["walnuts x1 handful"]),
        ("пляшка пива", &["beer x1 bottle"]),
        ("a can of coke", &["cola x1 can"]),
        ("a large banana", &["banana x1 large"]),
        ("великий банан", &["banana x1 large"]),
    ];
    for (text, expected) in cases {
        assert_foods(text, expected);
    }
}

#[test]
fn a_unit_the_food_has_no_portion_of_becomes_grams_or_its_typical_portion() {
    let cases: &[(&str, &[&str])] = &[
        ("a cup of eggs", &["egg 240 g"]),
        ("2 tablespoons of bulgur", &["bulgur 30 g"]),
        ("порція гречки", &["buckwheat x1"]),
        ("великий огірок", &["cucumber x1"]),
        ("a large orange", &["orange x1 large"]),
    ];
    for (text, expected) in cases {
        assert_foods(text, expected);
    }
}

#[test]
fn splits_lists_on_and_commas_plus_and_with_between_foods() {
    let cases: &[(&str, &[&str])] = &[
        ("гречка і курка", &["buckwheat x1", "chicken x1"]),
        ("яблуко й банан", &["apple x1", "banana x1"]),
        ("рис та лосось", &["rice x1", "salmon x1"]),
        (
            "2 eggs, toast, coffee",
            &["egg x2", "toast x1", "coffee x1"],
        ),
        ("banana + kefir", &["banana x1", "kefir x1"]),
        ("oatmeal with banana", &["oatmeal x1", "banana x1"]),
        ("гречка з куркою", &["buckwheat x1", "chicken x1"]),
        (
            "200 г гречки з 100 г курки",
            &["buckwheat 200 g", "chicken 100 g"],
        ),
        ("2 eggs 1 banana", &["egg x2", "banana x1"]),
        (
            "chicken breast 200g, rice 150 g",
            &["chicken breast 200 g", "rice 150 g"],
        ),
    ];
    for (text, expected) in cases {
        assert_foods(text, expected);
    }
}

#[test]
fn names_with_and_or_with_inside_stay_one_food() {
    let cases: &[(&str, &[&str])] = &[
        ("кава з молоком", &["coffee with milk x1"]),
        ("coffee with milk", &["coffee with milk x1"]),
        ("чай з лимоном", &["tea with lemon x1"]),
        ("вареники з картоплею", &["varenyky with potato x1"]),
        ("12 вареників з вишнями", &["varenyky with cherries x12"]),
        ("mac and cheese", &["mac and cheese x1"]),
        ("вівсянка на молоці", &["oatmeal with milk x1"]),
    ];
    for (text, expected) in cases {
        assert_foods(text, expected);
    }
}

#[test]
fn an_eating_verb_is_not_taken_for_a_food() {
    assert_foods("я пив каву", &["coffee x1"]);
    assert_foods("випив склянку кефіру", &["kefir x1 cup"]);
    assert_foods("I ate 2 eggs", &["egg x2"]);
}

#[test]
fn an_unknown_food_with_an_amount_is_mentioned_as_said_for_the_catalogue_to_refuse() {
    let reading = interpret("2 unicorn steaks");
    assert_eq!(reading.intent, Intent::LogFood);
    assert_eq!(reading.foods[0].said, "unicorn steaks");
    assert_eq!(reading.foods[0].lookup_name, "unicorn steaks");
    let catalog = RuleAssistant::new().catalog().clone();
    assert_eq!(catalog.lookup("unicorn steaks", "unicorn steaks"), None);
}

#[test]
fn words_that_are_not_food_are_not_logged() {
    for text in [
        "I had a great day",
        "hello",
        "привіт",
        "дякую!",
        "ok",
        "chocolate eggs",
    ] {
        let reading = interpret(text);
        assert_eq!(reading.intent, Intent::General, "{text:?}");
        assert!(reading.foods.is_empty(), "{text:?}");
    }
}

#[test]
fn goals_are_read_with_their_number() {
    for (text, goal) in [
        ("set my goal to 2200", 2200),
        ("ціль 1800", 1800),
        ("норма 2000 ккал", 2000),
        ("my daily target is 2 200 kcal", 2200),
        ("постав ціль 1500", 1500),
    ] {
        let reading = interpret(text);
        assert_eq!(reading.intent, Intent::SetGoal, "{text:?}");
        assert_eq!(reading.calorie_goal, Some(goal), "{text:?}");
        assert!(reading.foods.is_empty());
    }
}

#[test]
fn deletions_are_recognised() {
    for text in [
        "delete the last entry",
        "видали останній запис",
        "скасуй",
        "undo",
        "remove the last one",
    ] {
        assert_eq!(interpret(text).intent, Intent::DeleteEntry, "{text:?}");
    }
}

#[test]
fn questions_are_queries() {
    for text in [
        "how much protein today?",
        "скільки білка сьогодні?",
        "how did I sleep?",
        "як я спав?",
        "скільки калорій залишилось?",
        "how many calories left",
        "what's my recovery",
        "чи добре я відновився",
    ] {
        let reading = interpret(text);
        assert_eq!(reading.intent, Intent::QueryData, "{text:?}");
        assert!(reading.foods.is_empty());
    }
}

#[test]
fn other_messages_get_a_short_reply_in_the_users_language() {
    let assistant = RuleAssistant::new();
    let en = ready(assistant_interpret(&assistant, "hello", Locale::En));
    assert_eq!(en.intent, Intent::General);
    assert!(en.reply.unwrap().contains("log food"));
    let uk = ready(assistant_interpret(&assistant, "привіт", Locale::Uk));
    assert!(uk.reply.unwrap().contains("записую їжу"));
    let logged = assistant.read_message("2 eggs", &empty_context(Locale::En));
    assert_eq!(logged.reply, None);
}

async fn assistant_interpret(
    assistant: &RuleAssistant,
    text: &str,
    locale: Locale,
) -> wellness_domain::ports::Interpretation {
    use wellness_domain::ports::Assistant;
    assistant
        .interpret(text, &empty_context(locale))
        .await
        .unwrap()
}
