use serde_json::Value;
use wellness_domain::model::{Grams, Locale, Meal, Unit};
use wellness_domain::ports::{Amount, Assistant, FoodMention, Intent, Interpretation};
use wellness_openai::{OpenAiConfig, SCHEMA_NAME};
use wellness_sim::openai::Endpoint;

use crate::{assistant, context};

#[tokio::test]
async fn interprets_a_meal_into_foods_with_amounts_and_the_meal_said() {
    let (_sim, assistant) = assistant().await;
    let got = assistant
        .interpret(
            "2 eggs and 200 g гречки for breakfast",
            &context(Locale::En),
        )
        .await
        .unwrap();
    assert_eq!(
        got,
        Interpretation {
            intent: Intent::LogFood,
            foods: vec![
                FoodMention {
                    said: "eggs".to_owned(),
                    lookup_name: "egg".to_owned(),
                    amount: Amount::Portions {
                        count: 2.0,
                        unit: None
                    },
                    meal: Some(Meal::Breakfast),
                },
                FoodMention {
                    said: "гречки".to_owned(),
                    lookup_name: "buckwheat".to_owned(),
                    amount: Amount::Grams(Grams::new(200.0).unwrap()),
                    meal: Some(Meal::Breakfast),
                },
            ],
            calorie_goal: None,
            reply: None,
        }
    );
}

#[tokio::test]
async fn a_food_without_a_count_is_one_portion_with_the_unit_said() {
    let (_sim, assistant) = assistant().await;
    let got = assistant
        .interpret("склянка молока і тост", &context(Locale::Uk))
        .await
        .unwrap();
    let amounts: Vec<_> = got
        .foods
        .iter()
        .map(|f| (f.lookup_name.as_str(), f.amount.clone()))
        .collect();
    assert_eq!(
        amounts,
        vec![
            (
                "milk",
                Amount::Portions {
                    count: 1.0,
                    unit: Some(Unit::Cup)
                }
            ),
            (
                "bread",
                Amount::Portions {
                    count: 1.0,
                    unit: None
                }
            ),
        ]
    );
    assert_eq!(got.foods[0].meal, None);
}

#[tokio::test]
async fn reads_goals_deletions_questions_and_small_talk() {
    let (_sim, assistant) = assistant().await;
    let context = context(Locale::En);
    let goal = assistant
        .interpret("set my goal to 2200", &context)
        .await
        .unwrap();
    assert_eq!(
        (goal.intent, goal.calorie_goal),
        (Intent::SetGoal, Some(2200))
    );
    let delete = assistant
        .interpret("delete the last entry", &context)
        .await
        .unwrap();
    assert_eq!(delete.intent, Intent::DeleteEntry);
    let question = assistant
        .interpret("how much did I eat today?", &context)
        .await
        .unwrap();
    assert_eq!(
        (question.intent, question.foods.len()),
        (Intent::QueryData, 0)
    );
    let small_talk = assistant
        .interpret("thanks, you're great", &context)
        .await
        .unwrap();
    assert_eq!(small_talk.intent, Intent::General);
    assert!(small_talk.reply.is_some());
}

/// Every object of a strict schema requires all its properties and allows no others.
fn assert_strict(schema: &Value) {
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        assert_eq!(schema["additionalProperties"], false, "{schema}");
        let required = schema["required"].as_array().unwrap();
        assert_eq!(required.len(), properties.len(), "{schema}");
        properties.values().for_each(assert_strict);
    }
    if let Some(items) = schema.get("items") {
        assert_strict(items);
    }
}

#[tokio::test]
async fn the_request_carries_the_model_the_key_a_strict_schema_and_the_context() {
    let (sim, assistant) = assistant().await;
    assistant
        .interpret("a banana", &context(Locale::Uk))
        .await
        .unwrap();
    let recorded = sim.requests_to(Endpoint::ChatCompletions);
    assert_eq!(recorded.len(), 1);
    let request = &recorded[0];
    assert_eq!(
        request.model.as_deref(),
        Some(OpenAiConfig::DEFAULT_CHAT_MODEL)
    );
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {}", sim.api_key()).as_str())
    );
    let body = request.body.as_ref().unwrap();
    let format = &body["response_format"];
    assert_eq!(format["type"], "json_schema");
    assert_eq!(format["json_schema"]["name"], SCHEMA_NAME);
    assert_eq!(format["json_schema"]["strict"], true);
    let schema = &format["json_schema"]["schema"];
    assert_strict(schema);
    assert_eq!(
        schema["properties"]["intent"]["enum"],
        serde_json::json!([
            "log_food",
            "query_data",
            "delete_entry",
            "set_goal",
            "general"
        ])
    );
    assert_eq!(
        schema["properties"]["items"]["items"]["properties"]["grams"]["type"],
        serde_json::json!(["number", "null"])
    );

    let messages = request.messages();
    let roles: Vec<_> = messages.iter().map(|(role, _)| role.as_str()).collect();
    assert_eq!(roles, ["system", "system", "user", "assistant", "user"]);
    assert!(messages[0].1.contains("Ukrainian") && messages[0].1.contains("lookup_name"));
    let context_json: Value =
        serde_json::from_str(messages[1].1.strip_prefix("Context (JSON): ").unwrap()).unwrap();
    assert_eq!(context_json["now_local"], "2026-03-10T13:05");
    assert_eq!(context_json["language"], "uk");
    assert_eq!(context_json["calorie_goal_kcal"], 2000);
    assert_eq!(context_json["today"]["totals"]["kcal"], 686);
    assert_eq!(context_json["today"]["remaining_kcal"], 1314);
    assert_eq!(context_json["today"]["entries"][0]["name"], "гречка");
    assert_eq!(messages[2].1, "200 г гречки");
    assert_eq!(messages[4].1, "a banana");
    // The days before today are sent only when the context holds them (a question's).
    assert!(context_json.get("past_days").is_none());
}

#[tokio::test]
async fn a_questions_context_sends_yesterday_and_the_days_before() {
    let (sim, assistant) = assistant().await;
    let mut context = context(Locale::En);
    let yesterday = wellness_domain::LocalDate::from_calendar(
        chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
    );
    let mut eaten = context.today_entries[0].clone();
    eaten.local_date = yesterday;
    context.yesterday_entries = vec![eaten];
    context.past_days = vec![(yesterday, context.today_totals)];
    assistant
        .answer("what did I eat yesterday?", &context)
        .await
        .ok();
    let request = &sim.requests()[0];
    let messages = request.messages();
    let context_line = messages
        .iter()
        .find_map(|(_, text)| text.strip_prefix("Context (JSON): "))
        .unwrap();
    let context_json: Value = serde_json::from_str(context_line).unwrap();
    assert_eq!(context_json["past_days"][0]["date"], "2026-03-09");
    assert_eq!(context_json["past_days"][0]["kcal"], 686);
    assert_eq!(context_json["yesterday_entries"][0]["name"], "гречка");
    // Yesterday and today, 686 kcal each: the average is given, not left to compute.
    let week = &context_json["last_7_days_today_included"];
    assert_eq!(week["days_with_entries"], 2);
    assert_eq!(week["average_kcal"], 686);
}

#[tokio::test]
async fn the_message_being_answered_is_not_repeated_from_the_history() {
    let (sim, assistant) = assistant().await;
    let mut context = context(Locale::En);
    let mut current = context.history[0].clone();
    current.content = "2 eggs".to_owned();
    context.history.push(current);
    assistant.interpret("2 eggs", &context).await.unwrap();
    let texts: Vec<_> = sim.requests()[0]
        .messages()
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    assert_eq!(texts.iter().filter(|t| *t == "2 eggs").count(), 1);
}

/// Numbers (runs of digits) in a text.
fn numbers(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn answers_use_only_numbers_from_the_context_in_the_users_language() {
    let (sim, assistant) = assistant().await;
    let answer = assistant
        .answer("How many calories do I have left?", &context(Locale::En))
        .await
        .unwrap();
    assert!(
        answer.contains("2000") && answer.contains("686"),
        "{answer}"
    );
    let recorded = sim.requests_to(Endpoint::ChatCompletions);
    let body = recorded[0].body.as_ref().unwrap();
    assert!(
        body.get("response_format").is_none(),
        "plain text is asked for"
    );
    let messages = recorded[0].messages();
    assert!(
        messages[0]
            .1
            .contains("Use only numbers that appear in the context JSON")
    );
    assert!(messages[0].1.contains("Answer in English"));
    let context_text = &messages[1].1;
    for number in numbers(&answer) {
        assert!(
            context_text.contains(&number),
            "{number} is not in the context"
        );
    }

    let answer = assistant
        .answer("Скільки ще можна з'їсти?", &context(Locale::Uk))
        .await
        .unwrap();
    assert!(answer.starts_with("За вашими даними"), "{answer}");
    let recorded = sim.requests_to(Endpoint::ChatCompletions);
    assert!(recorded[1].messages()[0].1.contains("Answer in Ukrainian"));
}
