//! Measures the store's floor: one durable commit, and `list runs` on 100,000 runs.

fn main() {}
