//! Conversions between records and SQLite values: timestamps as fixed-width text, enums as their
//! names, JSON as text; and SQLite errors as [`StoreError`]s.

use crate::error::{Result, StoreError};
use chrono::{DateTime, SubsecRound, Utc};
use rusqlite::types::Value;
use rusqlite::{ErrorCode, Row};
use std::str::FromStr;

/// Microseconds, UTC, `Z`: fixed width, so stored timestamps sort as text.
pub fn ts(t: DateTime<Utc>) -> String {
    crate::audit_chain::append::timestamp_text(t)
}

/// A timestamp as it reads back from the store (microsecond precision).
pub fn stored(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

pub fn opt_ts(t: Option<DateTime<Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::Text(ts(t)))
}

pub fn opt_text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::Text(s.to_owned()))
}

pub fn opt_int(n: Option<i64>) -> Value {
    n.map_or(Value::Null, Value::Integer)
}

pub fn json_text(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::corrupt(format!("cannot encode JSON: {e}")))
}

fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::corrupt(format!("bad timestamp `{s}`: {e}")))
}

/// Typed column access that reports unreadable values as [`StoreError::Corrupt`].
pub trait RowExt {
    fn text(&self, idx: usize) -> Result<String>;
    fn opt_text(&self, idx: usize) -> Result<Option<String>>;
    fn int(&self, idx: usize) -> Result<i64>;
    fn opt_int(&self, idx: usize) -> Result<Option<i64>>;
    fn time(&self, idx: usize) -> Result<DateTime<Utc>>;
    fn opt_time(&self, idx: usize) -> Result<Option<DateTime<Utc>>>;
    fn json<T: serde::de::DeserializeOwned>(&self, idx: usize) -> Result<T>;
    fn parsed<T: FromStr<Err = String>>(&self, idx: usize) -> Result<T>;
    fn blob(&self, idx: usize) -> Result<Vec<u8>>;

    fn u32(&self, idx: usize) -> Result<u32> {
        let n = self.int(idx)?;
        u32::try_from(n).map_err(|_| StoreError::corrupt(format!("value {n} out of range")))
    }
    fn opt_u32(&self, idx: usize) -> Result<Option<u32>> {
        self.opt_int(idx)?
            .map(|n| {
                u32::try_from(n).map_err(|_| StoreError::corrupt(format!("value {n} out of range")))
            })
            .transpose()
    }
    fn u64(&self, idx: usize) -> Result<u64> {
        let n = self.int(idx)?;
        u64::try_from(n).map_err(|_| StoreError::corrupt(format!("value {n} out of range")))
    }
}

impl RowExt for Row<'_> {
    fn text(&self, idx: usize) -> Result<String> {
        Ok(self.get(idx)?)
    }
    fn opt_text(&self, idx: usize) -> Result<Option<String>> {
        Ok(self.get(idx)?)
    }
    fn int(&self, idx: usize) -> Result<i64> {
        Ok(self.get(idx)?)
    }
    fn opt_int(&self, idx: usize) -> Result<Option<i64>> {
        Ok(self.get(idx)?)
    }
    fn time(&self, idx: usize) -> Result<DateTime<Utc>> {
        parse_ts(&self.text(idx)?)
    }
    fn opt_time(&self, idx: usize) -> Result<Option<DateTime<Utc>>> {
        self.opt_text(idx)?.as_deref().map(parse_ts).transpose()
    }
    fn json<T: serde::de::DeserializeOwned>(&self, idx: usize) -> Result<T> {
        let text = self.text(idx)?;
        serde_json::from_str(&text)
            .map_err(|e| StoreError::corrupt(format!("bad JSON in column {idx}: {e}")))
    }
    fn parsed<T: FromStr<Err = String>>(&self, idx: usize) -> Result<T> {
        self.text(idx)?.parse().map_err(StoreError::Corrupt)
    }
    fn blob(&self, idx: usize) -> Result<Vec<u8>> {
        Ok(self.get::<_, Option<Vec<u8>>>(idx)?.unwrap_or_default())
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                StoreError::Busy(e.to_string())
            }
            Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
                StoreError::Corrupt(e.to_string())
            }
            _ => match e {
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..)
                | rusqlite::Error::IntegralValueOutOfRange(..) => {
                    StoreError::Corrupt(e.to_string())
                }
                other => StoreError::Backend(Box::new(other)),
            },
        }
    }
}

/// A foreign-key failure on insert means the parent row does not exist.
pub fn missing_parent(e: rusqlite::Error, what: &'static str, key: &str) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e
        && f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY
    {
        return StoreError::NotFound {
            what,
            key: key.to_owned(),
        };
    }
    e.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn timestamps_are_fixed_width_and_sortable() {
        let a = Utc.with_ymd_and_hms(2025, 3, 30, 1, 2, 3).unwrap();
        let b = a + chrono::Duration::nanoseconds(1_500);
        assert_eq!(ts(a), "2025-03-30T01:02:03.000000Z");
        assert_eq!(ts(b), "2025-03-30T01:02:03.000001Z");
        assert!(ts(a) < ts(b));
        assert_eq!(parse_ts(&ts(b)).unwrap(), stored(b));
        assert!(parse_ts("yesterday").is_err());
    }
}
