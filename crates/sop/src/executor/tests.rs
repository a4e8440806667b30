//! Tests that really spawn processes.
