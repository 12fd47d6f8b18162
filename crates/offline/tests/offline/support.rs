//! Contexts and a tiny executor for the async ports (our futures never wait).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use wellness_domain::Locale;
use wellness_domain::ports::{FoodMention, Interpretation};
use wellness_offline::RuleAssistant;

/// Runs a future that completes without waiting.
pub fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("an offline port waited"),
    }
}

pub use wellness_domain::testing::contexts::{busy_context, empty_context};

/// Interprets a message with the rule assistant in an English context.
pub fn interpret(text: &str) -> Interpretation {
    RuleAssistant::new().read_message(text, &empty_context(Locale::En))
}

/// The foods of a message as (lookup name, amount text, meal) for compact assertions.
pub fn foods(text: &str) -> Vec<String> {
    interpret(text).foods.iter().map(describe).collect()
}

/// "egg x2" / "milk x1 cup" / "buckwheat 200 g" (+ " @breakfast").
pub fn describe(food: &FoodMention) -> String {
    use wellness_domain::ports::Amount;
    let amount = match &food.amount {
        Amount::Grams(g) => format!("{g} g"),
        Amount::Portions { count, unit: None } => format!("x{count}"),
        Amount::Portions {
            count,
            unit: Some(unit),
        } => format!("x{count} {}", unit.key()),
        Amount::Unmeasured { count, unit } => format!("x{count} {unit}?"),
    };
    let meal = food.meal.map(|m| format!(" @{m}")).unwrap_or_default();
    format!("{} {amount}{meal}", food.lookup_name)
}
