//! Reading PostgreSQL rows into records: unreadable values are [`StoreError::Corrupt`], and
//! integers stored as BIGINT come back in the width the records use.

use crate::error::{Result, StoreError};
use chrono::{DateTime, Utc};
use postgres::Row;
use postgres::types::FromSql;
use std::str::FromStr;

/// A JSON value as stored: text, exactly as SQLite keeps it.
pub fn json_text(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::corrupt(format!("cannot encode JSON: {e}")))
}

/// An unsigned count or number as the BIGINT it is stored as.
pub fn big(n: impl Into<u64>) -> i64 {
    i64::try_from(n.into()).unwrap_or(i64::MAX)
}

/// Typed column access that reports unreadable values as [`StoreError::Corrupt`].
pub trait RowExt {
    fn col<'a, T: FromSql<'a>>(&'a self, idx: usize) -> Result<T>;

    fn text(&self, idx: usize) -> Result<String> {
        self.col(idx)
    }
    fn opt_text(&self, idx: usize) -> Result<Option<String>> {
        self.col(idx)
    }
    fn int(&self, idx: usize) -> Result<i64> {
        self.col(idx)
    }
    fn opt_int(&self, idx: usize) -> Result<Option<i64>> {
        self.col(idx)
    }
    fn flag(&self, idx: usize) -> Result<bool> {
        self.col(idx)
    }
    fn time(&self, idx: usize) -> Result<DateTime<Utc>> {
        self.col(idx)
    }
    fn opt_time(&self, idx: usize) -> Result<Option<DateTime<Utc>>> {
        self.col(idx)
    }
    fn blob(&self, idx: usize) -> Result<Vec<u8>> {
        Ok(self.col::<Option<Vec<u8>>>(idx)?.unwrap_or_default())
    }
    fn json<T: serde::de::DeserializeOwned>(&self, idx: usize) -> Result<T> {
        let text = self.text(idx)?;
        serde_json::from_str(&text)
            .map_err(|e| StoreError::corrupt(format!("bad JSON in column {idx}: {e}")))
    }
    fn parsed<T: FromStr<Err = String>>(&self, idx: usize) -> Result<T> {
        self.text(idx)?.parse().map_err(StoreError::Corrupt)
    }
    fn u32(&self, idx: usize) -> Result<u32> {
        narrow(self.int(idx)?)
    }
    fn opt_u32(&self, idx: usize) -> Result<Option<u32>> {
        self.opt_int(idx)?.map(narrow).transpose()
    }
    fn opt_i32(&self, idx: usize) -> Result<Option<i32>> {
        self.opt_int(idx)?.map(narrow).transpose()
    }
    fn u64(&self, idx: usize) -> Result<u64> {
        narrow(self.int(idx)?)
    }
}

fn narrow<T: TryFrom<i64>>(n: i64) -> Result<T> {
    T::try_from(n).map_err(|_| StoreError::corrupt(format!("value {n} out of range")))
}

impl RowExt for Row {
    fn col<'a, T: FromSql<'a>>(&'a self, idx: usize) -> Result<T> {
        self.try_get(idx)
            .map_err(|e| StoreError::corrupt(format!("column {idx}: {e}")))
    }
}
