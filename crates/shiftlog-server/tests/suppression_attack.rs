//! The attacker of issue 10: a viewer who asks for every summary the API allows, on random
//! and hand-made data sets, on both backends, and tries to work small counts out with exact
//! linear algebra and interval reasoning. It must find nothing (docs/privacy.md).

mod attacker;
mod common;

use attacker::{data, Report};
use common::*;

async fn run(b: Backend, name: &str, recs: Vec<data::Rec>) -> Report {
    let r = start(b).await;
    let n = recs.len();
    let (world, viewer) = attacker::load(&r, recs).await;
    let reqs = attacker::requests();
    let t = std::time::Instant::now();
    let answers = attacker::collect(&r, &viewer, &reqs).await;
    let asked = t.elapsed();
    let t = std::time::Instant::now();
    let mut rep = attacker::attack(&world, &reqs, &answers);
    let solved = t.elapsed();
    rep.exports_differ = attacker::exports_differ(&r, &viewer, &reqs).await;
    eprintln!(
        "{b:?} {name} ({n} records, {} requests in {asked:.1?}, attack {solved:.1?}): {rep:?}",
        reqs.len()
    );
    rep
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attacker_finds_nothing_on_sqlite() {
    let mut dirty = Vec::new();
    for seed in 1..=2u64 {
        let rep = run(
            Backend::Sqlite,
            &format!("seed {seed}"),
            data::random(seed, 110),
        )
        .await;
        if !rep.clean() {
            dirty.push((format!("seed {seed}"), rep));
        }
    }
    for case in 0..2 {
        let rep = run(Backend::Sqlite, &format!("hard {case}"), data::hard(case)).await;
        if !rep.clean() {
            dirty.push((format!("hard {case}"), rep));
        }
    }
    assert!(dirty.is_empty(), "{dirty:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attacker_finds_nothing_on_postgres() {
    let mut dirty = Vec::new();
    for (name, recs) in [
        ("seed 3".to_string(), data::random(3, 110)),
        ("hard 2".to_string(), data::hard(2)),
        ("hard 3".to_string(), data::hard(3)),
    ] {
        let rep = run(Backend::Postgres, &name, recs).await;
        if !rep.clean() {
            dirty.push((name, rep));
        }
    }
    assert!(dirty.is_empty(), "{dirty:#?}");
}
