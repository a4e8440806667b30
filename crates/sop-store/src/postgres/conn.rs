//! One PostgreSQL connection with its prepared statements, and what its errors mean to sop.
//!
//! Every statement is prepared once per connection and reused: an unprepared query costs a
//! second round trip to the server.

use crate::error::{Result, StoreError};
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, Row, Statement};
use std::collections::HashMap;

/// Statements kept per connection; the dynamic ones (patches) have a few hundred shapes at most.
const STATEMENT_CACHE: usize = 256;

/// Parameters of one statement.
pub type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
    /// A transaction is open on this connection (until COMMIT or ROLLBACK has succeeded).
    pub(super) in_transaction: bool,
}

impl Conn {
    pub fn new(client: Client) -> Self {
        Conn {
            client,
            statements: HashMap::new(),
            in_transaction: false,
        }
    }

    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(sql)?;
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }

    pub fn query(&mut self, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        Ok(self.client.query(&stmt, params)?)
    }

    pub fn query_opt(&mut self, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
        let stmt = self.statement(sql)?;
        Ok(self.client.query_opt(&stmt, params)?)
    }

    pub fn query_one(&mut self, sql: &str, params: Params<'_>) -> Result<Row> {
        let stmt = self.statement(sql)?;
        Ok(self.client.query_one(&stmt, params)?)
    }

    pub fn execute(&mut self, sql: &str, params: Params<'_>) -> Result<u64> {
        let stmt = self.statement(sql)?;
        Ok(self.client.execute(&stmt, params)?)
    }

    /// Statements without parameters, in one round trip (transaction control, migrations).
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        Ok(self.client.batch_execute(sql)?)
    }

    /// Rows one by one, without holding them all in memory (for verifying the whole trail).
    pub fn for_each_row(
        &mut self,
        sql: &str,
        mut f: impl FnMut(&Row) -> Result<bool>,
    ) -> Result<()> {
        use postgres::fallible_iterator::FallibleIterator;
        let stmt = self.statement(sql)?;
        let mut rows = self.client.query_raw(&stmt, std::iter::empty::<i64>())?;
        while let Some(row) = rows.next()? {
            if !f(&row)? {
                break;
            }
        }
        Ok(())
    }
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        let Some(code) = e.code() else {
            if e.is_closed() {
                return StoreError::Backend(
                    format!("the connection to PostgreSQL was lost: {e}").into(),
                );
            }
            return StoreError::Backend(Box::new(e));
        };
        let message = e
            .as_db_error()
            .map_or_else(|| e.to_string(), |db| db.message().to_owned());
        if is_retryable(code) {
            return StoreError::Busy(message);
        }
        if *code == SqlState::DATA_CORRUPTED || *code == SqlState::INDEX_CORRUPTED {
            return StoreError::Corrupt(message);
        }
        if *code == SqlState::UNIQUE_VIOLATION {
            let constraint = e
                .as_db_error()
                .and_then(|db| db.constraint())
                .unwrap_or("a unique key")
                .to_owned();
            return StoreError::AlreadyExists {
                what: "row of",
                key: constraint,
            };
        }
        // The client's own message for a server error is just "db error"; the server's says what.
        match e.as_db_error() {
            Some(db) => StoreError::Backend(db.to_string().into()),
            None => StoreError::Backend(Box::new(e)),
        }
    }
}

/// Errors after which the whole transaction may simply be tried again: it lost a race with
/// another node (serialisation failure, deadlock) or waited too long for a lock.
fn is_retryable(code: &SqlState) -> bool {
    [
        SqlState::T_R_SERIALIZATION_FAILURE,
        SqlState::T_R_DEADLOCK_DETECTED,
        SqlState::LOCK_NOT_AVAILABLE,
        SqlState::QUERY_CANCELED,
        SqlState::TOO_MANY_CONNECTIONS,
        SqlState::CANNOT_CONNECT_NOW,
    ]
    .contains(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_races_and_lock_waits_are_retryable() {
        assert!(is_retryable(&SqlState::T_R_SERIALIZATION_FAILURE));
        assert!(is_retryable(&SqlState::T_R_DEADLOCK_DETECTED));
        assert!(is_retryable(&SqlState::LOCK_NOT_AVAILABLE));
        assert!(!is_retryable(&SqlState::UNIQUE_VIOLATION));
        assert!(!is_retryable(&SqlState::SYNTAX_ERROR));
    }
}
