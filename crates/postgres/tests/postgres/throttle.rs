//! Per-user limits in fixed windows, shared through the database.

use std::time::Duration as StdDuration;

use chrono::Duration;
use wellness_domain::ports::{Hit, Limit, Throttle, Throttled};
use wellness_postgres::PgThrottle;

use crate::fixtures::{db, user};

#[tokio::test]
async fn uses_past_the_limit_are_refused_until_the_window_ends_the_first_of_them_marked() {
    let (_guard, pool) = db().await;
    let ann = user(&pool, 1).await.id;
    let bob = user(&pool, 2).await.id;
    // Two instances, one database: the count is shared.
    let (one, two) = (PgThrottle::new(pool.clone()), PgThrottle::new(pool));
    let limit = Limit {
        limit: 2,
        window: Duration::milliseconds(800),
    };
    assert_eq!(
        one.hit(ann, Throttled::Message, limit).await.unwrap(),
        Hit::Allowed
    );
    assert_eq!(
        two.hit(ann, Throttled::Message, limit).await.unwrap(),
        Hit::Allowed
    );
    let Hit::Exceeded { first, retry_after } =
        one.hit(ann, Throttled::Message, limit).await.unwrap()
    else {
        panic!("the third use is over the limit");
    };
    assert!(first);
    assert!(retry_after > Duration::zero() && retry_after <= Duration::milliseconds(800));
    assert!(matches!(
        two.hit(ann, Throttled::Message, limit).await.unwrap(),
        Hit::Exceeded { first: false, .. }
    ));
    // Another user, another action: counted apart.
    assert_eq!(
        one.hit(bob, Throttled::Message, limit).await.unwrap(),
        Hit::Allowed
    );
    assert_eq!(
        one.hit(ann, Throttled::Sync, limit).await.unwrap(),
        Hit::Allowed
    );
    // The window ends: allowed again.
    tokio::time::sleep(StdDuration::from_millis(900)).await;
    assert_eq!(
        one.hit(ann, Throttled::Message, limit).await.unwrap(),
        Hit::Allowed
    );
}
