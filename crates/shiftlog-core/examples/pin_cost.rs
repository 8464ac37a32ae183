//! How much one PIN guess costs: times the Argon2id derivation a PIN profile's key needs,
//! with the parameters new profiles get (or `M_KIB T P` from the command line), on one core
//! and on every core at once, and multiplies by the number of PINs of each length.
//!
//! `cargo run --release -p shiftlog-core --example pin_cost [M_KIB T P]`

use std::time::Instant;

use shiftlog_core::KdfParams;

fn main() {
    let args: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let p = match args.as_slice() {
        [m, t, p] => KdfParams {
            m_kib: *m,
            t: *t,
            p: *p,
        },
        _ => KdfParams::default(),
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rounds = 8;
    let _ = shiftlog_core::derive_pin_key("000000", &[0; 16], p); // warm up
    let start = Instant::now();
    for i in 0..rounds {
        let _ = shiftlog_core::derive_pin_key(&format!("{i:06}"), &[1; 16], p);
    }
    let one = start.elapsed().as_secs_f64() / rounds as f64;
    let start = Instant::now();
    std::thread::scope(|s| {
        for c in 0..cores {
            s.spawn(move || {
                for i in 0..rounds {
                    let _ = shiftlog_core::derive_pin_key(&format!("{c}{i:05}"), &[2; 16], p);
                }
            });
        }
    });
    let all = start.elapsed().as_secs_f64() / (rounds * cores) as f64;
    println!(
        "Argon2id m={} KiB t={} p={}: {:.0} ms per guess on one core; {:.0} ms per guess with {} cores busy ({:.1} guesses/s in all)",
        p.m_kib,
        p.t,
        p.p,
        one * 1e3,
        all * 1e3,
        cores,
        1.0 / all
    );
    for digits in [4u32, 5, 6, 8] {
        let n = 10f64.powi(digits as i32);
        let day = 86_400.0;
        println!(
            "{digits} digits ({n:.0} PINs): every PIN {:.1} days on one core, {:.1} days on {cores} cores (half that on average)",
            n * one / day,
            n * all / day
        );
    }
}
