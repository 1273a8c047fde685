//! Business hours: when a shop (or a department) answers chats, in its own time
//! zone, with holidays. [`BusinessHours`] is what staff edit and the store keeps;
//! [`Schedule::parse`] checks it once and answers [`Schedule::is_open`] and
//! [`Schedule::next_open`].
//!
//! Hours are wall-clock times in the shop's zone: an interval covers every
//! instant whose local time on that weekday lies in `[open, close)`. So on the
//! day clocks spring forward, local times in the gap never happen (a 02:00–04:00
//! interval in Berlin opens at 03:00 CEST); on the day they fall back, a local
//! time that happens twice is open both times. An interval ends on the day it
//! starts: to stay open past midnight, close at `24:00` and open the next day at
//! `00:00`. A holiday closes its whole local day.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

use crate::Millis;

/// Most open intervals in one day (a lunch break needs two).
pub const MAX_INTERVALS_PER_DAY: usize = 4;
/// Most holiday entries.
pub const MAX_HOLIDAYS: usize = 100;
/// Longest holiday range, in days.
pub const MAX_HOLIDAY_DAYS: i32 = 366;
/// How far ahead [`Schedule::next_open`] looks.
pub const HORIZON_DAYS: i64 = 366;

const DAY_MS: Millis = 86_400_000;
const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Opening hours as staff edit them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct BusinessHours {
    /// IANA time zone name, e.g. `Europe/Berlin` or `America/New_York`.
    pub time_zone: String,
    pub weekly: WeeklyHours,
    /// Days closed all day, in the shop's time zone.
    #[serde(default)]
    pub holidays: Vec<Holiday>,
}

/// Open intervals per weekday; an empty list means closed all day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct WeeklyHours {
    #[serde(default)]
    pub mon: Vec<OpenInterval>,
    #[serde(default)]
    pub tue: Vec<OpenInterval>,
    #[serde(default)]
    pub wed: Vec<OpenInterval>,
    #[serde(default)]
    pub thu: Vec<OpenInterval>,
    #[serde(default)]
    pub fri: Vec<OpenInterval>,
    #[serde(default)]
    pub sat: Vec<OpenInterval>,
    #[serde(default)]
    pub sun: Vec<OpenInterval>,
}

impl WeeklyHours {
    /// The days Monday first, as `[mon, tue, …, sun]`.
    pub fn days(&self) -> [&[OpenInterval]; 7] {
        [
            &self.mon, &self.tue, &self.wed, &self.thu, &self.fri, &self.sat, &self.sun,
        ]
    }
}

/// Open from `open` until just before `close`, both `HH:MM`; `close` may be `24:00`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct OpenInterval {
    pub open: String,
    pub close: String,
}

/// Closed on `from` (`YYYY-MM-DD`), or from `from` through `to` inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Holiday {
    pub from: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum HoursError {
    #[error("unknown time zone {0:?}: use an IANA name such as Europe/Berlin")]
    UnknownTimeZone(String),
    #[error("{day}: {value:?} is not a time of day as HH:MM (00:00 to 24:00)")]
    BadTime { day: &'static str, value: String },
    #[error(
        "{day}: {open}–{close} closes before it opens; to stay open past midnight, \
         close at 24:00 and open the next day at 00:00"
    )]
    Inverted {
        day: &'static str,
        open: String,
        close: String,
    },
    #[error("{day}: open intervals overlap")]
    Overlap { day: &'static str },
    #[error("{day}: at most {MAX_INTERVALS_PER_DAY} open intervals a day")]
    TooManyIntervals { day: &'static str },
    #[error("{0:?} is not a date as YYYY-MM-DD")]
    BadDate(String),
    #[error("holiday {from}–{to} ends before it starts")]
    InvertedHoliday { from: String, to: String },
    #[error("a holiday lasts at most {MAX_HOLIDAY_DAYS} days")]
    HolidayTooLong,
    #[error("at most {MAX_HOLIDAYS} holidays")]
    TooManyHolidays,
}

/// Business hours checked and ready to answer questions about instants.
#[derive(Clone, Debug)]
pub struct Schedule {
    zone: TimeZone,
    /// Per weekday, Monday first: `[open, close)` in minutes of the day, sorted.
    days: [Vec<(u16, u16)>; 7],
    /// Inclusive date ranges.
    holidays: Vec<(Date, Date)>,
}

impl Schedule {
    pub fn parse(hours: &BusinessHours) -> Result<Self, HoursError> {
        let zone = TimeZone::get(hours.time_zone.trim())
            .map_err(|_| HoursError::UnknownTimeZone(hours.time_zone.clone()))?;
        let mut days: [Vec<(u16, u16)>; 7] = Default::default();
        for ((intervals, parsed), day) in hours
            .weekly
            .days()
            .into_iter()
            .zip(&mut days)
            .zip(DAY_NAMES)
        {
            if intervals.len() > MAX_INTERVALS_PER_DAY {
                return Err(HoursError::TooManyIntervals { day });
            }
            for interval in intervals {
                let bad = |value: &str| HoursError::BadTime {
                    day,
                    value: value.to_owned(),
                };
                let open = minutes(&interval.open)
                    .filter(|m| *m < 1440)
                    .ok_or_else(|| bad(&interval.open))?;
                let close = minutes(&interval.close).ok_or_else(|| bad(&interval.close))?;
                if close <= open {
                    return Err(HoursError::Inverted {
                        day,
                        open: interval.open.clone(),
                        close: interval.close.clone(),
                    });
                }
                parsed.push((open, close));
            }
            parsed.sort_unstable();
            if parsed.windows(2).any(|pair| pair[1].0 < pair[0].1) {
                return Err(HoursError::Overlap { day });
            }
        }
        if hours.holidays.len() > MAX_HOLIDAYS {
            return Err(HoursError::TooManyHolidays);
        }
        let mut holidays = Vec::with_capacity(hours.holidays.len());
        for holiday in &hours.holidays {
            let from = date(&holiday.from)?;
            let to = match &holiday.to {
                Some(to) => date(to)?,
                None => from,
            };
            if to < from {
                return Err(HoursError::InvertedHoliday {
                    from: holiday.from.clone(),
                    to: holiday.to.clone().unwrap_or_default(),
                });
            }
            let length = to.since(from).map_err(|_| HoursError::HolidayTooLong)?;
            if length.get_days() >= MAX_HOLIDAY_DAYS {
                return Err(HoursError::HolidayTooLong);
            }
            holidays.push((from, to));
        }
        Ok(Self {
            zone,
            days,
            holidays,
        })
    }

    /// The IANA name of the schedule's zone.
    pub fn time_zone(&self) -> Option<&str> {
        self.zone.iana_name()
    }

    fn is_holiday(&self, day: Date) -> bool {
        self.holidays
            .iter()
            .any(|(from, to)| *from <= day && day <= *to)
    }

    fn intervals(&self, day: Date) -> &[(u16, u16)] {
        let index = usize::try_from(day.weekday().to_monday_zero_offset()).unwrap_or_default();
        &self.days[index]
    }

    /// Whether the shop is open at `at`.
    pub fn is_open(&self, at: Millis) -> bool {
        let Ok(instant) = Timestamp::from_millisecond(at) else {
            return false;
        };
        let local = self.zone.to_datetime(instant);
        let day = local.date();
        if self.is_holiday(day) {
            return false;
        }
        let minute = u16::try_from(local.hour()).unwrap_or_default() * 60
            + u16::try_from(local.minute()).unwrap_or_default();
        self.intervals(day)
            .iter()
            .any(|(open, close)| *open <= minute && minute < *close)
    }

    /// The first instant at or after `at` when the shop is open, within
    /// [`HORIZON_DAYS`]; `None` when it stays closed that long.
    pub fn next_open(&self, at: Millis) -> Option<Millis> {
        if self.is_open(at) {
            return Some(at);
        }
        // The shop opens at an interval's opening time, or where a clock change
        // jumps into an interval whose opening time it skipped (open 02:30 on
        // the night 02:00 becomes 03:00): it opens at the change.
        self.first_instant(
            at,
            |day| {
                if self.is_holiday(day) {
                    Vec::new()
                } else {
                    self.intervals(day).iter().map(|(open, _)| *open).collect()
                }
            },
            |candidate| candidate >= at && self.is_open(candidate),
        )
    }

    /// The first instant after `at` when [`Schedule::is_open`] answers
    /// differently than at `at`: the next opening while closed, the next closing
    /// while open. `None` when nothing changes within [`HORIZON_DAYS`]. A socket
    /// sleeps until then to tell its widget.
    pub fn next_change(&self, at: Millis) -> Option<Millis> {
        if !self.is_open(at) {
            return self.next_open(at);
        }
        // Openness only changes where a local minute crosses a closing time, at
        // local midnight (weekday and holiday change) or at a clock change. The
        // earliest such instant that is closed is the change.
        self.first_instant(
            at,
            |day| {
                let mut minutes: Vec<u16> = vec![0];
                minutes.extend(
                    self.intervals(day)
                        .iter()
                        .map(|(_, close)| *close)
                        .filter(|close| *close < 1440),
                );
                minutes
            },
            |candidate| candidate > at && !self.is_open(candidate),
        )
    }

    /// The earliest instant within [`HORIZON_DAYS`] of `at` that `hit` accepts,
    /// among the local times `minutes_of(day)` of each day from the day before
    /// `at`'s and the zone's clock changes up to the first found.
    fn first_instant(
        &self,
        at: Millis,
        minutes_of: impl Fn(Date) -> Vec<u16>,
        hit: impl Fn(Millis) -> bool,
    ) -> Option<Millis> {
        let horizon = at.checked_add(HORIZON_DAYS * DAY_MS)?;
        let start = Timestamp::from_millisecond(at).ok()?;
        // A day before: a clock turned back near midnight puts `at` on the
        // following local day while the previous day still has instants ahead.
        let mut day = self.zone.to_datetime(start).date().yesterday().ok()?;
        let mut best: Option<Millis> = None;
        let mut days_after_found = 0;
        for _ in 0..HORIZON_DAYS + 3 {
            if best.is_some() {
                // Local dates follow instants except inside a turned-back hour;
                // two more days cover that before the search stops.
                days_after_found += 1;
                if days_after_found > 2 {
                    break;
                }
            }
            for minute in minutes_of(day) {
                for candidate in self.instants_of(day, minute) {
                    if hit(candidate) {
                        best = Some(best.map_or(candidate, |b| b.min(candidate)));
                    }
                }
            }
            day = day.tomorrow().ok()?;
        }
        let limit = best.unwrap_or(horizon);
        for transition in self.zone.following(start) {
            let instant = transition.timestamp().as_millisecond();
            if instant > limit {
                break;
            }
            if hit(instant) {
                best = Some(best.map_or(instant, |b| b.min(instant)));
                break;
            }
        }
        best.filter(|found| *found <= horizon)
    }

    /// Every instant whose local time is `minute` on `day`: none in a gap, two
    /// in a repeated hour. In a gap the instants either side are given, so the
    /// caller's open check decides.
    fn instants_of(&self, day: Date, minute: u16) -> Vec<Millis> {
        let Ok(time) = Time::new(
            i8::try_from(minute / 60).unwrap_or_default(),
            i8::try_from(minute % 60).unwrap_or_default(),
            0,
            0,
        ) else {
            return Vec::new();
        };
        let ambiguous = self
            .zone
            .to_ambiguous_timestamp(DateTime::from_parts(day, time));
        [ambiguous.earlier(), ambiguous.later()]
            .into_iter()
            .filter_map(Result::ok)
            .map(Timestamp::as_millisecond)
            .collect()
    }
}

/// `HH:MM`, two digits each, as minutes of the day; `24:00` is 1440.
fn minutes(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    let digits = |pair: &[u8]| -> Option<u16> {
        pair.iter().try_fold(0u16, |acc, b| {
            b.is_ascii_digit().then(|| acc * 10 + u16::from(b - b'0'))
        })
    };
    let hour = digits(&bytes[..2])?;
    let minute = digits(&bytes[3..])?;
    let total = hour * 60 + minute;
    (minute < 60 && total <= 1440).then_some(total)
}

/// `YYYY-MM-DD` exactly.
fn date(text: &str) -> Result<Date, HoursError> {
    let bad = || HoursError::BadDate(text.to_owned());
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(bad());
    }
    let year: i16 = text[..4].parse().map_err(|_| bad())?;
    let month: i8 = text[5..7].parse().map_err(|_| bad())?;
    let day: i8 = text[8..].parse().map_err(|_| bad())?;
    Date::new(year, month, day).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn iv(open: &str, close: &str) -> OpenInterval {
        OpenInterval {
            open: open.to_owned(),
            close: close.to_owned(),
        }
    }

    /// `zone` with the same intervals Monday to Friday.
    fn weekdays(zone: &str, intervals: &[(&str, &str)]) -> BusinessHours {
        let day: Vec<OpenInterval> = intervals.iter().map(|(o, c)| iv(o, c)).collect();
        BusinessHours {
            time_zone: zone.to_owned(),
            weekly: WeeklyHours {
                mon: day.clone(),
                tue: day.clone(),
                wed: day.clone(),
                thu: day.clone(),
                fri: day,
                ..WeeklyHours::default()
            },
            holidays: Vec::new(),
        }
    }

    fn schedule(hours: &BusinessHours) -> Schedule {
        Schedule::parse(hours).expect("valid hours")
    }

    /// Milliseconds of an RFC 3339 instant.
    fn at(rfc3339: &str) -> Millis {
        rfc3339
            .parse::<Timestamp>()
            .expect("an instant")
            .as_millisecond()
    }

    fn show(ms: Option<Millis>) -> Option<String> {
        ms.map(|ms| Timestamp::from_millisecond(ms).unwrap().to_string())
    }

    #[test]
    fn office_hours_in_berlin_winter_and_summer() {
        let hours = schedule(&weekdays("Europe/Berlin", &[("09:00", "18:00")]));
        // Monday 2026-01-12, CET (UTC+1).
        assert!(!hours.is_open(at("2026-01-12T07:59:59.999Z")));
        assert!(hours.is_open(at("2026-01-12T08:00:00Z")));
        assert!(hours.is_open(at("2026-01-12T16:59:59.999Z")));
        assert!(!hours.is_open(at("2026-01-12T17:00:00Z")));
        // Monday 2026-07-13, CEST (UTC+2).
        assert!(!hours.is_open(at("2026-07-13T06:59:00Z")));
        assert!(hours.is_open(at("2026-07-13T07:00:00Z")));
        assert!(!hours.is_open(at("2026-07-13T16:00:00Z")));
        // Friday evening → Monday morning.
        assert_eq!(
            show(hours.next_open(at("2026-07-17T18:00:00Z"))),
            Some("2026-07-20T07:00:00Z".into())
        );
        // Open now: now.
        let now = at("2026-07-13T10:00:00Z");
        assert_eq!(hours.next_open(now), Some(now));
    }

    #[test]
    fn new_york_opening_moves_in_utc_across_both_changes() {
        let hours = schedule(&weekdays("America/New_York", &[("09:00", "17:00")]));
        // Friday 2026-03-06 is EST (UTC-5); clocks spring forward Sunday 2026-03-08.
        assert!(hours.is_open(at("2026-03-06T14:00:00Z")));
        assert_eq!(
            show(hours.next_open(at("2026-03-06T22:00:00Z"))),
            Some("2026-03-09T13:00:00Z".into())
        );
        // Clocks fall back Sunday 2026-11-01: Monday opens an hour later in UTC.
        assert_eq!(
            show(hours.next_open(at("2026-10-30T21:00:00Z"))),
            Some("2026-11-02T14:00:00Z".into())
        );
        assert!(!hours.is_open(at("2026-11-02T13:30:00Z")));
    }

    fn sunday(zone: &str, intervals: &[(&str, &str)]) -> Schedule {
        schedule(&BusinessHours {
            time_zone: zone.to_owned(),
            weekly: WeeklyHours {
                sun: intervals.iter().map(|(o, c)| iv(o, c)).collect(),
                ..WeeklyHours::default()
            },
            holidays: Vec::new(),
        })
    }

    #[test]
    fn berlin_spring_forward_gap_is_skipped() {
        // 2026-03-29 02:00 CET becomes 03:00 CEST (at 01:00 UTC).
        let hours = sunday("Europe/Berlin", &[("02:00", "04:00")]);
        assert!(!hours.is_open(at("2026-03-29T00:59:59Z")));
        assert!(hours.is_open(at("2026-03-29T01:00:00Z")));
        assert!(!hours.is_open(at("2026-03-29T02:00:00Z")));
        assert_eq!(
            show(hours.next_open(at("2026-03-28T12:00:00Z"))),
            Some("2026-03-29T01:00:00Z".into())
        );
        // Opening inside the gap: open from the change.
        let hours = sunday("Europe/Berlin", &[("02:30", "03:30")]);
        assert_eq!(
            show(hours.next_open(at("2026-03-28T12:00:00Z"))),
            Some("2026-03-29T01:00:00Z".into())
        );
        // Entirely inside the gap: that Sunday never opens; the next one does (CEST).
        let hours = sunday("Europe/Berlin", &[("02:15", "02:45")]);
        assert_eq!(
            show(hours.next_open(at("2026-03-28T12:00:00Z"))),
            Some("2026-04-05T00:15:00Z".into())
        );
    }

    #[test]
    fn berlin_fall_back_hour_is_open_both_times() {
        // 2026-10-25 03:00 CEST becomes 02:00 CET (at 01:00 UTC): 02:00–03:00 twice.
        let hours = sunday("Europe/Berlin", &[("02:00", "02:30")]);
        assert!(hours.is_open(at("2026-10-25T00:00:00Z")));
        assert!(!hours.is_open(at("2026-10-25T00:30:00Z")));
        assert!(hours.is_open(at("2026-10-25T01:00:00Z")));
        assert!(!hours.is_open(at("2026-10-25T01:30:00Z")));
        assert_eq!(
            show(hours.next_open(at("2026-10-25T00:45:00Z"))),
            Some("2026-10-25T01:00:00Z".into())
        );
        // Opening inside the repeated hour, after it has passed once.
        let hours = sunday("Europe/Berlin", &[("02:10", "02:20")]);
        assert_eq!(
            show(hours.next_open(at("2026-10-25T00:45:00Z"))),
            Some("2026-10-25T01:10:00Z".into())
        );
        // Going back into an open interval opens at the change itself.
        let hours = sunday("Europe/Berlin", &[("01:30", "02:30")]);
        assert!(!hours.is_open(at("2026-10-25T00:45:00Z")));
        assert_eq!(
            show(hours.next_open(at("2026-10-25T00:45:00Z"))),
            Some("2026-10-25T01:00:00Z".into())
        );
    }

    #[test]
    fn new_york_fall_back_repeats_one_oclock() {
        // 2026-11-01 02:00 EDT becomes 01:00 EST (at 06:00 UTC).
        let hours = sunday("America/New_York", &[("01:00", "01:30")]);
        assert_eq!(
            show(hours.next_open(at("2026-11-01T00:00:00Z"))),
            Some("2026-11-01T05:00:00Z".into())
        );
        assert_eq!(
            show(hours.next_open(at("2026-11-01T05:30:00Z"))),
            Some("2026-11-01T06:00:00Z".into())
        );
        assert!(!hours.is_open(at("2026-11-01T06:30:00Z")));
    }

    #[test]
    fn zones_without_daylight_saving_and_half_hour_offsets() {
        let tokyo = schedule(&weekdays("Asia/Tokyo", &[("10:00", "19:00")]));
        // Monday 2026-07-13 10:00 JST is 01:00 UTC.
        assert!(tokyo.is_open(at("2026-07-13T01:00:00Z")));
        assert!(!tokyo.is_open(at("2026-07-13T00:59:00Z")));
        let kolkata = schedule(&weekdays("Asia/Kolkata", &[("09:30", "18:00")]));
        assert_eq!(
            show(kolkata.next_open(at("2026-07-12T12:00:00Z"))),
            Some("2026-07-13T04:00:00Z".into())
        );
        // Lord Howe moves its clocks by half an hour (UTC+10:30 → +11 on 2026-10-04).
        let lord_howe = sunday("Australia/Lord_Howe", &[("02:00", "02:45")]);
        assert_eq!(
            show(lord_howe.next_open(at("2026-10-03T00:00:00Z"))),
            Some("2026-10-03T15:30:00Z".into())
        );
    }

    #[test]
    fn past_midnight_with_24_00_and_00_00() {
        let mut hours = BusinessHours {
            time_zone: "UTC".into(),
            weekly: WeeklyHours::default(),
            holidays: Vec::new(),
        };
        hours.weekly.fri = vec![iv("22:00", "24:00")];
        hours.weekly.sat = vec![iv("00:00", "02:00")];
        let hours = schedule(&hours);
        // Friday 2026-07-17.
        assert!(hours.is_open(at("2026-07-17T23:59:59.999Z")));
        assert!(hours.is_open(at("2026-07-18T00:00:00Z")));
        assert!(hours.is_open(at("2026-07-18T01:59:00Z")));
        assert!(!hours.is_open(at("2026-07-18T02:00:00Z")));
        assert_eq!(
            show(hours.next_open(at("2026-07-17T21:00:00Z"))),
            Some("2026-07-17T22:00:00Z".into())
        );
    }

    #[test]
    fn holidays_close_whole_local_days() {
        let mut hours = weekdays("Pacific/Auckland", &[("09:00", "17:00")]);
        hours.holidays = vec![
            Holiday {
                from: "2026-12-24".into(),
                to: Some("2026-12-28".into()),
            },
            Holiday {
                from: "2027-01-01".into(),
                to: None,
            },
        ];
        let hours = schedule(&hours);
        // Wednesday 2026-12-23 09:00 NZDT (UTC+13) is 20:00 UTC on the 22nd.
        assert!(hours.is_open(at("2026-12-22T20:00:00Z")));
        // Thursday the 24th local is closed; the range ends Monday the 28th.
        assert!(!hours.is_open(at("2026-12-23T20:00:00Z")));
        assert_eq!(
            show(hours.next_open(at("2026-12-23T20:00:00Z"))),
            Some("2026-12-28T20:00:00Z".into())
        );
        // Friday 2027-01-01 is closed; next is Monday the 4th.
        assert_eq!(
            show(hours.next_open(at("2026-12-31T04:00:00Z"))),
            Some("2027-01-03T20:00:00Z".into())
        );
    }

    #[test]
    fn next_change_is_the_next_closing_or_opening() {
        let hours = schedule(&weekdays(
            "Europe/Berlin",
            &[("09:00", "12:00"), ("13:00", "18:00")],
        ));
        // Monday 2026-07-13, CEST: open at 10:00 local, lunch at 12:00.
        assert_eq!(
            show(hours.next_change(at("2026-07-13T08:00:00Z"))),
            Some("2026-07-13T10:00:00Z".into())
        );
        // At lunch: the afternoon opening.
        assert_eq!(
            show(hours.next_change(at("2026-07-13T10:30:00Z"))),
            Some("2026-07-13T11:00:00Z".into())
        );
        // The instant of closing is already closed; the next change is the opening.
        assert_eq!(
            show(hours.next_change(at("2026-07-13T16:00:00Z"))),
            Some("2026-07-14T07:00:00Z".into())
        );
        assert_eq!(
            show(hours.next_change(at("2026-07-13T15:59:59.999Z"))),
            Some("2026-07-13T16:00:00Z".into())
        );
    }

    #[test]
    fn next_change_crosses_midnight_holidays_and_clock_changes() {
        // Open all of Friday and Saturday: the change is at Sunday's midnight.
        let mut hours = BusinessHours {
            time_zone: "Europe/Berlin".into(),
            weekly: WeeklyHours {
                fri: vec![iv("00:00", "24:00")],
                sat: vec![iv("00:00", "24:00")],
                ..WeeklyHours::default()
            },
            holidays: Vec::new(),
        };
        assert_eq!(
            show(schedule(&hours).next_change(at("2026-07-17T12:00:00Z"))),
            Some("2026-07-18T22:00:00Z".into())
        );
        // A holiday on the Saturday closes at Friday's end.
        hours.holidays.push(Holiday {
            from: "2026-07-18".into(),
            to: None,
        });
        assert_eq!(
            show(schedule(&hours).next_change(at("2026-07-17T12:00:00Z"))),
            Some("2026-07-17T22:00:00Z".into())
        );
        // Sunday 2026-10-25, Berlin falls back at 03:00 CEST to 02:00 CET: open
        // 01:00–02:30 local closes at 02:30 CEST, opens again when 02:00 comes
        // round a second time, and closes at 02:30 CET.
        let fall = sunday("Europe/Berlin", &[("01:00", "02:30")]);
        assert_eq!(
            show(fall.next_change(at("2026-10-24T23:30:00Z"))),
            Some("2026-10-25T00:30:00Z".into())
        );
        assert_eq!(
            show(fall.next_change(at("2026-10-25T00:30:00Z"))),
            Some("2026-10-25T01:00:00Z".into())
        );
        assert_eq!(
            show(fall.next_change(at("2026-10-25T01:00:00Z"))),
            Some("2026-10-25T01:30:00Z".into())
        );
        // Always open: nothing changes.
        let always = BusinessHours {
            time_zone: "UTC".into(),
            weekly: WeeklyHours {
                mon: vec![iv("00:00", "24:00")],
                tue: vec![iv("00:00", "24:00")],
                wed: vec![iv("00:00", "24:00")],
                thu: vec![iv("00:00", "24:00")],
                fri: vec![iv("00:00", "24:00")],
                sat: vec![iv("00:00", "24:00")],
                sun: vec![iv("00:00", "24:00")],
            },
            holidays: Vec::new(),
        };
        assert_eq!(
            schedule(&always).next_change(at("2026-07-17T12:00:00Z")),
            None
        );
    }

    #[test]
    fn never_open_gives_none() {
        let closed = schedule(&BusinessHours {
            time_zone: "Europe/Berlin".into(),
            weekly: WeeklyHours::default(),
            holidays: Vec::new(),
        });
        assert!(!closed.is_open(at("2026-07-13T10:00:00Z")));
        assert_eq!(closed.next_open(at("2026-07-13T10:00:00Z")), None);
        // Closed for the year ahead: beyond the horizon.
        let mut hours = weekdays("Europe/Berlin", &[("09:00", "18:00")]);
        hours.holidays = vec![
            Holiday {
                from: "2026-01-01".into(),
                to: Some("2026-12-31".into()),
            },
            Holiday {
                from: "2027-01-01".into(),
                to: Some("2027-12-31".into()),
            },
        ];
        assert_eq!(schedule(&hours).next_open(at("2026-01-01T00:00:00Z")), None);
    }

    #[test]
    fn validation_names_the_problem() {
        let error = |hours: BusinessHours| Schedule::parse(&hours).unwrap_err();
        assert_eq!(
            error(weekdays("Mars/Olympus", &[])),
            HoursError::UnknownTimeZone("Mars/Olympus".into())
        );
        assert!(matches!(
            error(weekdays("", &[])),
            HoursError::UnknownTimeZone(_)
        ));
        for bad in [
            "9:00",
            "09:60",
            "24:01",
            "25:00",
            "09-00",
            " 09:00",
            "０９:００",
            "ab:cd",
        ] {
            assert_eq!(
                error(weekdays("UTC", &[(bad, "18:00")])),
                HoursError::BadTime {
                    day: "mon",
                    value: bad.into()
                },
                "{bad:?}"
            );
        }
        assert!(matches!(
            error(weekdays("UTC", &[("24:00", "24:00")])),
            HoursError::BadTime { .. }
        ));
        assert!(matches!(
            error(weekdays("UTC", &[("18:00", "09:00")])),
            HoursError::Inverted { day: "mon", .. }
        ));
        assert!(matches!(
            error(weekdays("UTC", &[("09:00", "09:00")])),
            HoursError::Inverted { .. }
        ));
        let message = error(weekdays("UTC", &[("22:00", "02:00")])).to_string();
        assert!(message.contains("24:00"), "{message}");
        assert_eq!(
            error(weekdays("UTC", &[("09:00", "13:00"), ("12:00", "18:00")])),
            HoursError::Overlap { day: "mon" }
        );
        // Touching intervals are fine, in any order.
        assert!(
            Schedule::parse(&weekdays("UTC", &[("13:00", "18:00"), ("09:00", "13:00")])).is_ok()
        );
        let five = [
            ("01:00", "02:00"),
            ("03:00", "04:00"),
            ("05:00", "06:00"),
            ("07:00", "08:00"),
            ("09:00", "10:00"),
        ];
        assert_eq!(
            error(weekdays("UTC", &five)),
            HoursError::TooManyIntervals { day: "mon" }
        );
        assert!(Schedule::parse(&weekdays("UTC", &five[..4])).is_ok());

        let with_holiday = |from: &str, to: Option<&str>| {
            let mut hours = weekdays("UTC", &[]);
            hours.holidays = vec![Holiday {
                from: from.into(),
                to: to.map(Into::into),
            }];
            Schedule::parse(&hours)
        };
        for bad in [
            "2026-02-30",
            "2026-2-01",
            "26-02-01",
            "2026/02/01",
            "2026-02-01T00:00",
        ] {
            assert_eq!(
                with_holiday(bad, None).unwrap_err(),
                HoursError::BadDate(bad.into())
            );
        }
        assert!(matches!(
            with_holiday("2026-05-02", Some("2026-05-01")),
            Err(HoursError::InvertedHoliday { .. })
        ));
        assert_eq!(
            with_holiday("2026-01-01", Some("2027-01-02")).unwrap_err(),
            HoursError::HolidayTooLong
        );
        assert!(with_holiday("2026-01-01", Some("2026-12-31")).is_ok());
        let mut many = weekdays("UTC", &[]);
        many.holidays = vec![
            Holiday {
                from: "2026-01-01".into(),
                to: None
            };
            MAX_HOLIDAYS + 1
        ];
        assert_eq!(error(many), HoursError::TooManyHolidays);
    }

    #[test]
    fn json_shape() {
        let hours: BusinessHours = serde_json::from_str(
            r#"{"time_zone": "Europe/Berlin",
                "weekly": {"mon": [{"open": "09:00", "close": "18:00"}]},
                "holidays": [{"from": "2026-12-25"}, {"from": "2026-12-30", "to": "2027-01-02"}]}"#,
        )
        .unwrap();
        assert_eq!(hours.weekly.mon, vec![iv("09:00", "18:00")]);
        assert!(hours.weekly.sun.is_empty());
        assert!(Schedule::parse(&hours).is_ok());
        assert!(
            serde_json::from_str::<BusinessHours>(
                r#"{"time_zone": "UTC", "weekly": {"monday": []}}"#
            )
            .is_err()
        );
    }

    const ZONES: [&str; 9] = [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Sydney",
        "Australia/Lord_Howe",
        "Asia/Tokyo",
        "Asia/Kolkata",
        "America/Sao_Paulo",
        "Pacific/Chatham",
        "UTC",
    ];

    /// Up to three non-overlapping quarter-hour intervals a day.
    fn day_strategy() -> impl Strategy<Value = Vec<OpenInterval>> {
        proptest::collection::btree_set(0u16..=96, 0..=6).prop_map(|marks| {
            let marks: Vec<u16> = marks.into_iter().collect();
            marks
                .chunks_exact(2)
                .map(|pair| {
                    let show = |q: u16| format!("{:02}:{:02}", q * 15 / 60, q * 15 % 60);
                    iv(&show(pair[0]), &show(pair[1]))
                })
                .collect()
        })
    }

    fn hours_strategy() -> impl Strategy<Value = BusinessHours> {
        (
            proptest::sample::select(ZONES.to_vec()),
            proptest::collection::vec(day_strategy(), 7),
            proptest::collection::vec((0i64..3000, 0i64..10), 0..4),
        )
            .prop_map(|(zone, days, holidays)| {
                let mut days = days.into_iter();
                let mut next = || days.next().unwrap_or_default();
                let base = jiff::civil::date(2020, 1, 1);
                let holidays = holidays
                    .into_iter()
                    .map(|(start, length)| {
                        let from = base.checked_add(jiff::Span::new().days(start)).unwrap();
                        let to = from.checked_add(jiff::Span::new().days(length)).unwrap();
                        Holiday {
                            from: from.to_string(),
                            to: Some(to.to_string()),
                        }
                    })
                    .collect();
                BusinessHours {
                    time_zone: zone.to_owned(),
                    weekly: WeeklyHours {
                        mon: next(),
                        tue: next(),
                        wed: next(),
                        thu: next(),
                        fri: next(),
                        sat: next(),
                        sun: next(),
                    },
                    holidays,
                }
            })
    }

    const QUARTER_MS: Millis = 15 * 60 * 1000;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The zones' offsets and changes fall on quarter hours, and so do the
        /// generated intervals, so openness is constant within each UTC quarter
        /// hour: checking every quarter between `t` and the answer is exhaustive.
        #[test]
        fn next_open_is_open_and_nothing_before_it_is(
            hours in hours_strategy(),
            t in 1_577_836_800_000i64..1_893_456_000_000,
        ) {
            let schedule = Schedule::parse(&hours).unwrap();
            match schedule.next_open(t) {
                Some(found) => {
                    prop_assert!(found >= t);
                    prop_assert!(found - t <= HORIZON_DAYS * DAY_MS);
                    prop_assert!(schedule.is_open(found));
                    if found > t {
                        prop_assert!(!schedule.is_open(t));
                        prop_assert!(!schedule.is_open(found - 1));
                        let mut quarter = (t / QUARTER_MS + 1) * QUARTER_MS;
                        while quarter < found {
                            prop_assert!(!schedule.is_open(quarter), "open at {quarter} before {found}");
                            quarter += QUARTER_MS;
                        }
                    }
                }
                None => {
                    // Generated holidays last at most ten days, so only a week
                    // with no hours at all stays closed for the horizon.
                    prop_assert!(hours.weekly.days().iter().all(|day| day.is_empty()));
                }
            }
        }

        /// The state holds from `t` until just before the change, and flips there.
        #[test]
        fn next_change_flips_and_nothing_flips_before_it(
            hours in hours_strategy(),
            t in 1_577_836_800_000i64..1_893_456_000_000,
        ) {
            let schedule = Schedule::parse(&hours).unwrap();
            let now = schedule.is_open(t);
            if let Some(change) = schedule.next_change(t) {
                prop_assert!(change > t);
                prop_assert_ne!(schedule.is_open(change), now);
                prop_assert_eq!(schedule.is_open(change - 1), now);
                let mut quarter = (t / QUARTER_MS + 1) * QUARTER_MS;
                while quarter < change {
                    prop_assert_eq!(schedule.is_open(quarter), now, "flipped at {} before {}", quarter, change);
                    quarter += QUARTER_MS;
                }
            }
        }
    }
}
