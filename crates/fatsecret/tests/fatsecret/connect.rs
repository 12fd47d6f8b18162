use wellness_domain::model::{Secret, Tokens};
use wellness_domain::ports::FoodDiary;
use wellness_fatsecret::ConnectError;
use wellness_sim::fatsecret::FatSecretSimConfig;

use crate::{client, day, start_sim, start_with};

const CALLBACK: &str = "https://bot.example/fatsecret/callback";

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

#[tokio::test]
async fn connects_a_user_through_the_consent_page_and_the_token_works() {
    let sim = start_sim().await;
    let fatsecret = client(&sim);

    let (request_token, request_secret) = fatsecret.request_token(CALLBACK).await.unwrap();
    let authorize_url = fatsecret.authorize_url(&request_token);
    assert_eq!(
        authorize_url,
        format!(
            "{}/oauth/authorize?oauth_token={request_token}",
            sim.base_url()
        )
    );

    // The user opens the page and presses Allow.
    let page = browser().get(&authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains(">Allow</button>"));
    let allowed = browser()
        .post(format!("{}/oauth/authorize", sim.base_url()))
        .form(&[
            ("oauth_token", request_token.as_str()),
            ("user", "ann"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    let location = allowed.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(CALLBACK));
    assert_eq!(
        query_value(&location, "oauth_token").as_deref(),
        Some(request_token.as_str())
    );
    let verifier = query_value(&location, "oauth_verifier").unwrap();

    let tokens = fatsecret
        .access_token(&request_token, &request_secret, &verifier)
        .await
        .unwrap();
    assert!(matches!(tokens, Tokens::OAuth1 { .. }));
    assert_eq!(
        fatsecret.day(&tokens, day(2026, 1, 1)).await,
        Ok(Vec::new())
    );
    assert_eq!(sim.summary().users, ["ann"]);

    // Every OAuth step was signed with oauth_version 1.0 and POSTed.
    let steps: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/oauth/"))
        .collect();
    assert_eq!(steps.len(), 2);
    assert!(steps.iter().all(|r| r.http_method == "POST"
        && r.params.get("oauth_version").map(String::as_str) == Some("1.0")));
    assert_eq!(steps[0].params["oauth_callback"], CALLBACK);
    assert_eq!(steps[1].params["oauth_verifier"], verifier);

    // The request token was single-use.
    let again = fatsecret
        .access_token(&request_token, &request_secret, &verifier)
        .await;
    assert!(
        matches!(again, Err(ConnectError::Refused { status: 401, .. })),
        "{again:?}"
    );
}

#[tokio::test]
async fn an_auto_approving_simulator_redirects_at_once() {
    let sim = start_with(FatSecretSimConfig::default().with_auto_approve("bob")).await;
    let fatsecret = client(&sim);
    let (token, secret) = fatsecret.request_token("oob").await.unwrap();
    let page = browser()
        .get(fatsecret.authorize_url(&token))
        .send()
        .await
        .unwrap();
    // oob: the verifier is shown rather than redirected to.
    let html = page.text().await.unwrap();
    let verifier = html
        .split("<strong id=\"verifier\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap()
        .to_owned();
    let tokens = fatsecret
        .access_token(&token, &secret, &verifier)
        .await
        .unwrap();
    assert!(fatsecret.day(&tokens, day(2026, 1, 1)).await.is_ok());
}

#[tokio::test]
async fn a_wrong_verifier_or_secret_is_refused_and_unreachable_is_unavailable() {
    let sim = start_sim().await;
    let fatsecret = client(&sim);
    let (token, secret) = fatsecret.request_token(CALLBACK).await.unwrap();
    sim.approve(&token, "ann").unwrap();
    let wrong = fatsecret.access_token(&token, &secret, "12345678").await;
    assert!(matches!(
        wrong,
        Err(ConnectError::Refused { status: 401, .. })
    ));
    let forged = fatsecret
        .access_token(&token, &Secret::new("guess"), "12345678")
        .await;
    match forged {
        Err(ConnectError::Refused { message, .. }) => {
            assert!(message.contains("error 8"), "{message}")
        }
        other => panic!("{other:?}"),
    }

    let addr = crate::closed_port_url();
    let gone = wellness_fatsecret::FatSecretClient::new(
        wellness_fatsecret::FatSecretConfig::new(&addr, &addr, "k", Secret::new("s"))
            .with_options(crate::OPTIONS),
    )
    .unwrap();
    assert!(matches!(
        gone.request_token(CALLBACK).await,
        Err(ConnectError::Unavailable(_))
    ));
}
