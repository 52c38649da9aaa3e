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
    use std::sync::Arc;

    /// chrono-tz's compiled IANA table.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct TzTable;

    #[derive(Debug)]
    struct TzZone(Tz);

    impl Zone for TzZone {
        fn name(&self) -> &str {
            self.0.name()
        }

        fn offset_at(&self, instant: Instant) -> i32 {
            let utc = DateTime::from_timestamp(instant, 0).unwrap_or_default().naive_utc();
            self.0.offset_from_utc_datetime(&utc).fix().local_minus_utc()
        }

        fn local_candidates(&self, local: i64) -> LocalTime {
            let naive = DateTime::from_timestamp(local, 0).unwrap_or_default().naive_utc();
            match self.0.from_local_datetime(&naive) {
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
            name.parse::<Tz>().ok().map(|tz| Arc::new(TzZone(tz)) as Arc<dyn Zone>)
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
