//! The time-zone seam.
//!
//! The engine never talks to a zone database directly: it asks a [`ZoneDb`] for a
//! [`Zone`] by name, and a zone only has to answer one question — the UTC offset in
//! effect at an instant. Everything else, including DESIGN.md's rule for local times
//! that do not exist or occur twice, is built on that in [`Zone::resolve`].
//!
//! The native build uses chrono-tz's compiled table ([`TzTable`], feature `tz-table`);
//! the widget can implement the same two traits over the browser's `Intl` database.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::fmt;
use std::sync::Arc;

/// Seconds since the Unix epoch, UTC. The engine's instant type: cheap to compare and add.
pub type Instant = i64;

/// One time zone: the UTC offset in effect at each instant.
pub trait Zone: fmt::Debug + Send + Sync {
    /// The IANA name (`"America/New_York"`).
    fn name(&self) -> &str;

    /// Offset east of UTC, in seconds, in effect at `instant`.
    fn offset_at(&self, instant: Instant) -> i32;

    /// Every instant whose local wall-clock time in this zone is `local`
    /// (seconds since 1970-01-01T00:00 local), as a [`LocalTime`].
    ///
    /// The default works from [`Zone::offset_at`] alone, by trying the offsets in
    /// effect a day before and a day after. That is exact unless a zone changes its
    /// offset twice within one day, which no zone in the IANA database does after 1970.
    fn local_candidates(&self, local: i64) -> LocalTime {
        let before = self.offset_at(local - 86_400);
        let after = self.offset_at(local + 86_400);
        let fits = |offset: i32| {
            let utc = local - i64::from(offset);
            (self.offset_at(utc) == offset).then_some(utc)
        };
        match (fits(before), fits(after)) {
            (Some(a), Some(b)) if a != b => LocalTime::Fold { earlier: a.min(b), later: a.max(b) },
            (Some(a), _) | (None, Some(a)) => LocalTime::Single(a),
            // In a gap: the instant the same wall-clock time would name under the
            // offset in effect before the transition.
            (None, None) => LocalTime::Gap { shifted: local - i64::from(before) },
        }
    }

    /// DESIGN.md's rule for turning a local wall-clock time into one instant:
    /// a time in a spring-forward gap is shifted later by the length of the gap
    /// (New York, 2024-03-10 02:30 → 03:30 EDT), a time that occurs twice means the
    /// earlier instant (New York, 2024-11-03 01:30 → 01:30 EDT).
    fn resolve(&self, local: i64) -> Instant {
        match self.local_candidates(local) {
            LocalTime::Single(t) | LocalTime::Fold { earlier: t, .. } | LocalTime::Gap { shifted: t } => t,
        }
    }
}

/// What a local wall-clock time means in a zone. Ambiguity is a value, resolved by
/// [`Zone::resolve`] and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalTime {
    /// Exactly one instant.
    Single(Instant),
    /// The clock went back: the time occurs twice.
    Fold {
        /// The first occurrence (the one DESIGN.md uses).
        earlier: Instant,
        /// The second occurrence.
        later: Instant,
    },
    /// The clock went forward over this time. `shifted` is the instant it names under the
    /// offset in effect before the gap, which is the wall-clock time moved later by the gap.
    Gap {
        /// The instant DESIGN.md uses.
        shifted: Instant,
    },
}

/// A source of zones by IANA name.
pub trait ZoneDb: Send + Sync {
    /// The zone called `name`, or `None` when the database has no such zone.
    fn zone(&self, name: &str) -> Option<Arc<dyn Zone>>;
    /// Every name this database knows, for "did you mean" suggestions.
    fn names(&self) -> Vec<String>;
}

/// Seconds since the local epoch for a naive local date-time.
pub fn local_seconds(local: NaiveDateTime) -> i64 {
    local.and_utc().timestamp()
}

/// The local wall-clock date-time of an instant in a zone.
pub fn to_local(zone: &dyn Zone, instant: Instant) -> NaiveDateTime {
    let local = instant + i64::from(zone.offset_at(instant));
    DateTime::<Utc>::from_timestamp(local, 0).map(|d| d.naive_utc()).unwrap_or_default()
}

/// An instant as a chrono UTC date-time.
pub fn to_utc(instant: Instant) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(instant, 0).unwrap_or_default()
}

#[cfg(feature = "tz-table")]
pub use table::TzTable;

#[cfg(feature = "tz-table")]
mod table {
    use super::{Instant, LocalTime, Zone, ZoneDb};
    use chrono::{DateTime, LocalResult, Offset, TimeZone};
    use chrono_tz::Tz;
    use std::sync::{Arc, OnceLock};

    /// chrono-tz's compiled IANA table.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct TzTable;

    /// The offsets of 1970 to about 2100 are kept per chunk of 2^25 seconds (about 388
    /// days), each read from chrono-tz the first time an instant in it is asked for: its
    /// offset at the start and the instants where it changes. A lookup is then a shift and a
    /// scan of a few entries instead of a date conversion and a binary search over the
    /// zone's whole history. Other instants go to chrono-tz directly.
    const CHUNK_BITS: u32 = 25;
    const CHUNKS: usize = 123;

    /// The scan step when filling a chunk. The table never changes a zone's offset twice
    /// within four days (its closest two changes are 6.96 days apart, Asia/Gaza and Brazil),
    /// so equal offsets at both ends of a step mean no change inside it, and different ones
    /// mean exactly one, which a bisection finds to the second.
    const STEP: i64 = 3 * 86_400;

    #[derive(Debug)]
    struct TzZone {
        tz: Tz,
        chunks: Box<[OnceLock<Chunk>]>,
    }

    /// One chunk's offsets: `first` from its start, then each `(instant, offset)` change.
    #[derive(Debug)]
    struct Chunk {
        first: i32,
        changes: Vec<(Instant, i32)>,
    }

    impl TzZone {
        fn new(tz: Tz) -> Self {
            TzZone { tz, chunks: (0..CHUNKS).map(|_| OnceLock::new()).collect() }
        }

        /// chrono-tz's answer.
        fn lookup(&self, instant: Instant) -> i32 {
            let utc = DateTime::from_timestamp(instant, 0).unwrap_or_default().naive_utc();
            self.tz.offset_from_utc_datetime(&utc).fix().local_minus_utc()
        }

        fn chunk(&self, k: i64) -> Chunk {
            let (start, end) = (k << CHUNK_BITS, (k + 1) << CHUNK_BITS);
            let first = self.lookup(start);
            let mut changes = Vec::new();
            let (mut a, mut offset) = (start, first);
            while a < end - 1 {
                let b = (a + STEP).min(end - 1);
                let ob = self.lookup(b);
                if ob != offset {
                    // The one change in (a, b]: the first instant whose offset is not `offset`.
                    let (mut lo, mut hi) = (a, b);
                    while hi - lo > 1 {
                        let mid = lo + (hi - lo) / 2;
                        if self.lookup(mid) == offset { lo = mid } else { hi = mid }
                    }
                    changes.push((hi, ob));
                    offset = ob;
                }
                a = b;
            }
            Chunk { first, changes }
        }
    }

    impl Zone for TzZone {
        fn name(&self) -> &str {
            self.tz.name()
        }

        fn offset_at(&self, instant: Instant) -> i32 {
            let k = instant >> CHUNK_BITS;
            let Some(slot) = usize::try_from(k).ok().and_then(|i| self.chunks.get(i)) else {
                return self.lookup(instant);
            };
            let chunk = slot.get_or_init(|| self.chunk(k));
            chunk.changes.iter().take_while(|(at, _)| *at <= instant).last().map_or(chunk.first, |c| c.1)
        }

        fn local_candidates(&self, local: i64) -> LocalTime {
            let naive = DateTime::from_timestamp(local, 0).unwrap_or_default().naive_utc();
            match self.tz.from_local_datetime(&naive) {
                LocalResult::Single(t) => LocalTime::Single(t.timestamp()),
                LocalResult::Ambiguous(a, b) => {
                    let (a, b) = (a.timestamp(), b.timestamp());
                    LocalTime::Fold { earlier: a.min(b), later: a.max(b) }
                }
                LocalResult::None => {
                    let before = self.offset_at(local - 86_400);
                    LocalTime::Gap { shifted: local - i64::from(before) }
                }
            }
        }
    }

    impl ZoneDb for TzTable {
        fn zone(&self, name: &str) -> Option<Arc<dyn Zone>> {
            name.parse::<Tz>().ok().map(|tz| Arc::new(TzZone::new(tz)) as Arc<dyn Zone>)
        }

        fn names(&self) -> Vec<String> {
            chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name().to_owned()).collect()
        }
    }
}

#[cfg(all(test, feature = "tz-table"))]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn ny() -> Arc<dyn Zone> {
        TzTable.zone("America/New_York").expect("zone")
    }

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        local_seconds(NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("date"))
    }

    #[test]
    fn nyc_spring_forward_0230_shifts_to_0330_edt() {
        let t = ny().resolve(local(2024, 3, 10, 2, 30));
        assert_eq!(to_utc(t).to_rfc3339(), "2024-03-10T07:30:00+00:00");
    }

    #[test]
    fn nyc_fall_back_0130_is_the_earlier_instant() {
        let t = ny().resolve(local(2024, 11, 3, 1, 30));
        assert_eq!(to_utc(t).to_rfc3339(), "2024-11-03T05:30:00+00:00");
    }

    #[test]
    fn chunked_offsets_agree_with_chrono_tz() {
        use chrono::{Offset, TimeZone};
        for name in [
            "America/New_York",
            "Australia/Lord_Howe",
            "Asia/Gaza",
            "Africa/Casablanca",
            "America/Noronha",
            "Europe/Moscow",
            "Pacific/Apia",
            "Europe/Dublin",
            "Asia/Kolkata",
        ] {
            let zone = TzTable.zone(name).expect("zone");
            let tz: chrono_tz::Tz = name.parse().expect("zone");
            let raw = |t: i64| tz.offset_from_utc_datetime(&to_utc(t).naive_utc()).fix().local_minus_utc();
            // Every six hours from 1969 to 2101, and at each change and the second before it.
            let (mut t, end) = (-366 * 86_400, 4_133_980_800);
            let mut before = raw(t);
            while t < end {
                let now = raw(t);
                if now != before {
                    let (mut lo, mut hi) = (t - 6 * 3600, t);
                    while hi - lo > 1 {
                        let mid = lo + (hi - lo) / 2;
                        if raw(mid) == before { lo = mid } else { hi = mid }
                    }
                    assert_eq!((zone.offset_at(lo), zone.offset_at(hi)), (before, raw(hi)), "{name} at {hi}");
                }
                assert_eq!(zone.offset_at(t), now, "{name} at {t}");
                before = now;
                t += 6 * 3600;
            }
        }
    }

    #[test]
    fn generic_candidates_agree_with_chrono_tz_in_gap_and_fold() {
        #[derive(Debug)]
        struct OnlyOffsets(Arc<dyn Zone>);
        impl Zone for OnlyOffsets {
            fn name(&self) -> &str {
                self.0.name()
            }
            fn offset_at(&self, instant: Instant) -> i32 {
                self.0.offset_at(instant)
            }
        }
        for name in ["America/New_York", "Australia/Lord_Howe", "America/Havana", "Pacific/Chatham"] {
            let zone = TzTable.zone(name).expect("zone");
            let generic = OnlyOffsets(zone.clone());
            let start = local(2024, 1, 1, 0, 0);
            for step in 0..(366 * 96) {
                let l = start + step * 900;
                assert_eq!(zone.local_candidates(l), generic.local_candidates(l), "{name} at local {l}");
            }
        }
    }
}
