//! The words the parser must understand, as data: meals, eating verbs, fillers, list
//! splitters, and the words of deleting, goals and questions, in Ukrainian and English
//! (folded: lower case, apostrophes dropped).

use wellness_domain::Meal;

pub(crate) fn meal_word(norm: &str) -> Option<Meal> {
    Some(match norm {
        "breakfast" | "сніданок" | "сніданку" | "сніданком" | "снідав" | "снідала" | "поснідав"
        | "поснідала" => Meal::Breakfast,
        "lunch" | "обід" | "обіду" | "обідом" | "обідав" | "обідала" | "пообідав" | "пообідала" => {
            Meal::Lunch
        }
        "dinner"
        | "supper"
        | "вечеря"
        | "вечерю"
        | "вечері"
        | "вечерею"
        | "вечеряв"
        | "вечеряла"
        | "повечеряв"
        | "повечеряла" => Meal::Dinner,
        "snack"
        | "snacks"
        | "перекус"
        | "перекусу"
        | "перекусом"
        | "перекусив"
        | "перекусила"
        | "полуденок" => Meal::Snack,
        _ => return None,
    })
}

pub(crate) fn is_meal_preposition(norm: &str) -> bool {
    matches!(
        norm,
        "for" | "at" | "as" | "my" | "на" | "за" | "в" | "у" | "під" | "час" | "до"
    )
}

/// Verbs of eating and drinking: never part of a food's name ("пив" is not "пиво").
pub(crate) fn is_eating_verb(norm: &str) -> bool {
    matches!(
        norm,
        "ate"
            | "eaten"
            | "eat"
            | "drank"
            | "drunk"
            | "drink"
            | "had"
            | "have"
            | "having"
            | "зїв"
            | "зїла"
            | "зїли"
            | "зїсти"
            | "їв"
            | "їла"
            | "їли"
            | "поїв"
            | "поїла"
            | "поїли"
            | "випив"
            | "випила"
            | "випили"
            | "пив"
            | "пила"
            | "пили"
            | "скуштував"
            | "скуштувала"
    )
}

/// Verbs that say for sure that something was eaten (an unknown food is then worth a mention).
pub(crate) fn is_strong_eating_verb(norm: &str) -> bool {
    is_eating_verb(norm) && !matches!(norm, "had" | "have" | "having" | "eat" | "drink")
}

pub(crate) fn is_filler(norm: &str) -> bool {
    matches!(
        norm,
        "i" | "ive"
            | "im"
            | "me"
            | "my"
            | "we"
            | "just"
            | "also"
            | "today"
            | "then"
            | "for"
            | "of"
            | "the"
            | "some"
            | "about"
            | "around"
            | "approximately"
            | "log"
            | "add"
            | "please"
            | "я"
            | "ми"
            | "сьогодні"
            | "також"
            | "теж"
            | "щойно"
            | "ще"
            | "трохи"
            | "десь"
            | "приблизно"
            | "близько"
            | "собі"
            | "було"
            | "запиши"
            | "додай"
            | "будь"
            | "ласка"
            | "на"
            | "ok"
            | "ок"
            | "x"
            | "х"
    ) || is_eating_verb(norm)
}

pub(crate) fn is_splitter(norm: &str) -> bool {
    matches!(
        norm,
        "and" | "with" | "plus" | "і" | "й" | "та" | "з" | "із" | "зі" | "потім" | "then"
    )
}

pub(crate) fn is_delete_word(norm: &str) -> bool {
    matches!(
        norm,
        "delete"
            | "remove"
            | "undo"
            | "cancel"
            | "erase"
            | "видали"
            | "видаліть"
            | "видалити"
            | "скасуй"
            | "скасуйте"
            | "скасувати"
            | "відміни"
            | "відмініть"
            | "прибери"
            | "приберіть"
            | "забудь"
            | "удали"
            | "отмени"
    )
}

pub(crate) fn is_goal_word(norm: &str) -> bool {
    matches!(
        norm,
        "goal"
            | "target"
            | "limit"
            | "ціль"
            | "ціллю"
            | "цілі"
            | "мета"
            | "мету"
            | "норма"
            | "норму"
            | "ліміт"
            | "ліміту"
    )
}

pub(crate) fn is_question_start(norm: &str) -> bool {
    matches!(
        norm,
        "how"
            | "what"
            | "whats"
            | "when"
            | "did"
            | "do"
            | "does"
            | "am"
            | "is"
            | "are"
            | "was"
            | "were"
            | "which"
            | "why"
            | "where"
            | "show"
            | "tell"
            | "скільки"
            | "як"
            | "чи"
            | "що"
            | "який"
            | "яка"
            | "яке"
            | "які"
            | "коли"
            | "де"
            | "чому"
            | "скажи"
            | "покажи"
    )
}

pub(crate) fn is_question_word(norm: &str) -> bool {
    matches!(
        norm,
        "left"
            | "remaining"
            | "remain"
            | "залишилось"
            | "залишилося"
            | "лишилось"
            | "лишилося"
            | "залишок"
            | "sleep"
            | "slept"
            | "сон"
            | "сну"
            | "спав"
            | "спала"
            | "спалось"
            | "спалося"
            | "recovery"
            | "відновлення"
            | "hrv"
            | "summary"
            | "підсумок"
            | "stats"
            | "статистика"
            | "average"
            | "avg"
            | "середні"
            | "середня"
            | "середнє"
            | "середньому"
    )
}
