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

mod personal {
    use std::sync::Arc;

    use futures_executor::block_on;

    use super::super::personal::{Resolved, candidates};
    use super::super::{FoodLogging, PersonalFoods};
    use crate::model::*;
    use crate::ports::*;
    use crate::reply::Say;
    use crate::testing::MemoryLog;
    use crate::testing::briefing::kyiv_user;

    fn facts(name: &str, kcal: f64) -> FoodFacts {
        FoodFacts {
            name: name.into(),
            per_100g: Nutrients {
                kcal: Kcal::new(kcal).unwrap(),
                ..Nutrients::default()
            },
            portions: Vec::new(),
            source: NutritionSource::OfflineCatalogue,
            catalogue_ref: None,
            alternatives: Vec::new(),
            family: None,
        }
    }

    fn oats() -> FoodFacts {
        FoodFacts {
            alternatives: vec![facts("oat flakes, dry", 389.0)],
            family: Some("oats".into()),
            ..facts("oatmeal, cooked", 71.0)
        }
    }

    fn mention(said: &str) -> FoodMention {
        FoodMention {
            said: said.into(),
            lookup_name: said.into(),
            amount: Amount::Grams(Grams::new(100.0).unwrap()),
            meal: None,
        }
    }

    fn logging(
        catalog: MockFoodCatalog,
        memory: MockFoodMemory,
        products: MockSavedProducts,
        log: Arc<MemoryLog>,
    ) -> FoodLogging {
        let mut clock = MockClock::new();
        clock.expect_now().returning(chrono::Utc::now);
        FoodLogging {
            users: Arc::new(MockUsers::new()),
            food: log,
            wearables: Arc::new(MockWearableStore::new()),
            clock: Arc::new(clock),
            conversations: Arc::new(MockConversations::new()),
            pending: Arc::new(MockPendingQuestions::new()),
            assistant: Arc::new(MockAssistant::new()),
            fallback_assistant: None,
            audit: Arc::new(MockAnswerAudit::new()),
            catalog: Arc::new(catalog),
            personal: PersonalFoods {
                memory: Arc::new(memory),
                products: Arc::new(products),
                reader: Arc::new(MockProductReader::new()),
            },
        }
    }

    fn no_products() -> MockSavedProducts {
        let mut products = MockSavedProducts::new();
        products.expect_named().returning(|_, _| Ok(None));
        products
    }

    #[test]
    fn candidates_are_offered_only_when_their_energy_differs_by_more_than_the_ratio() {
        let asked = candidates(&oats()).unwrap();
        assert_eq!(asked.len(), 2);
        assert!(asked.iter().all(|c| c.alternatives.is_empty()));
        let eggs = FoodFacts {
            alternatives: vec![facts("egg, boiled", 155.0)],
            ..facts("egg", 143.0)
        };
        assert_eq!(candidates(&eggs), None, "155/143 is under 1.4");
        assert_eq!(candidates(&facts("egg", 143.0)), None);
    }

    #[test]
    fn a_saved_product_comes_before_the_catalogue() {
        let mut catalog = MockFoodCatalog::new();
        catalog.expect_find().never();
        let mut products = MockSavedProducts::new();
        products.expect_named().returning(|_, _| {
            Ok(Some(SavedProduct {
                id: SavedProductId::new(3).unwrap(),
                name: "granola".into(),
                per_100g: Nutrients::default(),
                barcode: None,
            }))
        });
        let food = logging(catalog, MockFoodMemory::new(), products, Arc::default());
        let user = kyiv_user(Locale::En);
        match block_on(food.resolve(&user, &mention("granola"))).unwrap() {
            Resolved::Food { facts, remembered } => {
                assert_eq!(facts.source, NutritionSource::SavedProduct);
                assert!(!remembered);
            }
            _ => panic!("the saved product"),
        }
    }

    #[test]
    fn a_remembered_meaning_is_used_without_asking_the_catalogue() {
        let mut catalog = MockFoodCatalog::new();
        catalog.expect_find().never();
        let mut memory = MockFoodMemory::new();
        memory
            .expect_meaning()
            .withf(|_, keys| keys == [food_key("вівсянки")])
            .returning(|_, _| Ok(Some(facts("oat flakes, dry", 389.0))));
        let food = logging(catalog, memory, no_products(), Arc::default());
        match block_on(food.resolve(&kyiv_user(Locale::Uk), &mention("вівсянки"))).unwrap()
        {
            Resolved::Food { facts, remembered } => {
                assert_eq!(facts.name, "oat flakes, dry");
                assert!(remembered);
            }
            _ => panic!("the remembered food"),
        }
    }

    #[test]
    fn ambiguous_words_ask_and_the_pick_is_logged_and_remembered() {
        let mut catalog = MockFoodCatalog::new();
        catalog.expect_find().returning(|_, _, _| Ok(Some(oats())));
        let mut memory = MockFoodMemory::new();
        memory.expect_meaning().returning(|_, _| Ok(None));
        let food = logging(catalog, memory, no_products(), Arc::default());
        let user = kyiv_user(Locale::Uk);
        let Resolved::Ask(asked) = block_on(food.resolve(&user, &mention("вівсянки"))).unwrap()
        else {
            panic!("asked");
        };
        assert_eq!(asked.len(), 2);

        let update = UpdateId::new(42).unwrap();
        let choice = FoodChoice {
            update_id: update,
            item: 1,
            mention: mention("вівсянки"),
            candidates: asked,
            meal: Meal::Breakfast,
            source: EntrySource::Text,
        };
        let mut memory = MockFoodMemory::new();
        memory
            .expect_offered()
            .returning(move |_, _, _| Ok(Some(choice.clone())));
        memory
            .expect_remember()
            .withf(|_, keys, facts, _| {
                keys == [food_key("вівсянки"), "family:oats".to_owned()]
                    && facts.name == "oat flakes, dry"
            })
            .times(1)
            .returning(|_, _, _, _| Ok(()));
        memory.expect_usual_portion().never();
        let log = Arc::new(MemoryLog::default());
        let food = logging(MockFoodCatalog::new(), memory, no_products(), log.clone());
        let outcome = block_on(food.pick(&user, update, 1, 1)).unwrap();
        let entries = log.0.lock().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "oat flakes, dry");
        assert_eq!(entries[0].idempotency_key.as_str(), "tg:42:1");
        assert!(matches!(&outcome.reply.parts[1], Say::FoodItem(e) if e.name == "oat flakes, dry"));
    }

    #[test]
    fn a_choice_no_longer_kept_says_so_and_logs_nothing() {
        let mut memory = MockFoodMemory::new();
        memory.expect_offered().returning(|_, _, _| Ok(None));
        memory.expect_remember().never();
        let log = Arc::new(MemoryLog::default());
        let food = logging(MockFoodCatalog::new(), memory, no_products(), log.clone());
        let update = UpdateId::new(7).unwrap();
        let outcome = block_on(food.pick(&kyiv_user(Locale::En), update, 0, 0)).unwrap();
        assert_eq!(outcome.reply.parts, [Say::ChoiceGone]);
        assert!(log.0.lock().unwrap().is_empty());
    }
}
