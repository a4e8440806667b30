//! Fire times across DST changes. The expression is matched against local wall times (croner,
//! reading them in UTC, never sees a change), and each wall time becomes the instants it names:
//! one; the jump, when the clocks skip it; the first pass, when they repeat it. A schedule with a
//! `*` in its minute or hour field keeps its pace in real time instead: nothing at the jump,
//! both passes of a repeated hour. These are crontab's (Vixie cron's) rules, so a trigger fires when
//! an independent cron would; and `next_after` (what `sop schedule` shows) agrees with
//! `previous_before` (what the scheduler walks back through).

use super::CronSchedule;
use crate::builtins::resolve_local;
use chrono::{DateTime, Duration, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// Wall times looked at before giving up: every second of a repeated hour, with room.
const WALK: usize = 4_000;

pub fn next_after(s: &CronSchedule, after: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    let mut wall = local(after, tz);
    let mut found = None;
    for _ in 0..WALK {
        wall = s.next_wall(wall, false)?;
        if let Some(t) = instants(s, wall, tz).filter(|t| *t > after).min() {
            found = Some(t);
            break;
        }
    }
    let found = found?;
    // Clocks set back between the two: the repeated hour's second pass comes before `found`
    // in time, though its wall times come before `after`'s.
    if s.keeps_pace
        && let Some((change, back)) = set_back(after, found, tz)
    {
        let start = local(change, tz);
        let second = s
            .next_wall(start, true)
            .filter(|w| *w < start + back)
            .and_then(|w| tz.from_local_datetime(&w).latest())
            .map(|t| t.with_timezone(&Utc))
            .filter(|t| *t > after && *t < found);
        return Some(second.unwrap_or(found));
    }
    Some(found)
}

pub fn previous_before(
    s: &CronSchedule,
    before: DateTime<Utc>,
    tz: Tz,
    inclusive: bool,
) -> Option<DateTime<Utc>> {
    let fits = |t: &DateTime<Utc>| *t < before || (inclusive && *t == before);
    let mut wall = local(before, tz);
    let mut at_wall = true;
    let mut found = None;
    for _ in 0..WALK {
        wall = s.previous_wall(wall, at_wall)?;
        at_wall = false;
        if let Some(t) = instants(s, wall, tz).filter(fits).max() {
            found = Some(t);
            break;
        }
    }
    let found = found?;
    // Clocks set back between the two: the repeated hour's passes come after `found` in time,
    // though their wall times may come after `before`'s. The first pass always fires.
    let Some((change, back)) = set_back(found, before, tz) else {
        return Some(found);
    };
    let start = local(change, tz);
    let end = start + back;
    let first = s
        .previous_wall(end, false)
        .filter(|w| *w >= start)
        .and_then(|w| tz.from_local_datetime(&w).earliest())
        .map(|t| t.with_timezone(&Utc))
        .filter(fits);
    let mut second = None;
    if s.keeps_pace {
        let mut top = (local(before, tz).min(end), local(before, tz) < end);
        while let Some(w) = s.previous_wall(top.0, top.1).filter(|w| *w >= start) {
            let t = tz
                .from_local_datetime(&w)
                .latest()
                .map(|t| t.with_timezone(&Utc));
            if let Some(t) = t.filter(fits) {
                second = Some(t);
                break;
            }
            top = (w, false);
        }
    }
    [Some(found), first, second].into_iter().flatten().max()
}

/// The wall time at `t` in `tz`.
fn local(t: DateTime<Utc>, tz: Tz) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

fn offset(t: DateTime<Utc>, tz: Tz) -> i64 {
    i64::from(
        tz.offset_from_utc_datetime(&t.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// When the clocks go back between `from` and `to` (`from` < `to`): the first instant of the
/// later offset, and by how much they went back.
fn set_back(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> Option<(DateTime<Utc>, Duration)> {
    let (before, after) = (offset(from, tz), offset(to, tz));
    if after >= before {
        return None;
    }
    // The offset is `before` at `lo` and `after` at `hi` (whole seconds): halve until they are a
    // second apart.
    let (mut lo, mut hi) = (from.timestamp(), to.timestamp());
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        let t = DateTime::from_timestamp(mid, 0)?;
        if offset(t, tz) == before {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((
        DateTime::from_timestamp(hi, 0)?,
        Duration::seconds(before - after),
    ))
}

/// The instants at which the wall time `wall` fires.
fn instants(s: &CronSchedule, wall: NaiveDateTime, tz: Tz) -> impl Iterator<Item = DateTime<Utc>> {
    let utc = |t: DateTime<Tz>| t.with_timezone(&Utc);
    let (first, second) = match tz.from_local_datetime(&wall) {
        LocalResult::Single(t) => (Some(utc(t)), None),
        LocalResult::Ambiguous(a, b) => (Some(utc(a)), s.keeps_pace.then(|| utc(b))),
        // A pace goes on from the jump; a set time the clocks skipped is kept there.
        LocalResult::None if s.keeps_pace => (None, None),
        // The jump, by the one DST rule of local times.
        LocalResult::None => (Some(resolve_local(tz, wall)), None),
    };
    [first, second].into_iter().flatten()
}
