//! `quote` on the demo config (three teams in three zones, presets, every kind of target),
//! at instants spread over a year, so release and reply-by walks of every length are timed.

use chrono::DateTime;
use criterion::{Criterion, Throughput, criterion_main};
use replyby_core::{DEMO_CONFIG, TzTable, load};
use std::hint::black_box;

fn quotes(c: &mut Criterion) {
    let schedule = load(DEMO_CONFIG, &TzTable).expect("demo config");
    // 997 instants, about 8h47m apart, from 2027-01-01: every hour of the week over a year.
    let instants: Vec<_> =
        (0..997).map(|k| DateTime::from_timestamp(1_798_761_600 + k * 31_620, 0).expect("instant")).collect();
    let mut group = c.benchmark_group("quote");
    for plan in ["basic", "pro", "global", "enterprise", "critical"] {
        group.throughput(Throughput::Elements(instants.len() as u64));
        group.bench_function(plan, |b| {
            b.iter(|| {
                for t in &instants {
                    black_box(schedule.quote(black_box(plan), *t).expect("quote"));
                }
            })
        });
    }
    group.finish();
    // The same 997 instants per iteration as the quotes; one coverage each.
    for coverage in ["follow-the-sun", "business", "extended"] {
        c.bench_function(&format!("status/{coverage}"), |b| {
            b.iter(|| {
                for t in &instants {
                    black_box(schedule.status(black_box(coverage), *t).expect("status"));
                }
            })
        });
    }
    c.bench_function("load/demo-config", |b| b.iter(|| load(black_box(DEMO_CONFIG), &TzTable).expect("load")));
}

// criterion's macro generates an undocumented public function.
#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::quotes);
}
use group::benches;
criterion_main!(benches);
