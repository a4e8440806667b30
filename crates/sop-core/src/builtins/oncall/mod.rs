//! `on_call_available`, `on_call` and `on_call_people`: who is on call at an instant, from the
//! rotations and overrides of `oncall.toml`.

mod parse;
mod rotation;

pub use rotation::Rotation;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// A parsed `oncall.toml`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OnCallSchedule {
    /// In file order; the first covering rotation names `on_call`.
    pub rotations: Vec<Rotation>,
    /// In file order.
    pub overrides: Vec<Override>,
}

/// `[[override]]`: `person` is on call from `from` (inclusive) to `to` (exclusive), for one
/// rotation or, without `rotation`, ahead of every rotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub person: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub rotation: Option<String>,
}

/// One person on call at the instant asked about, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnCall {
    pub person: String,
    /// The rotation the person covers; `None` for an override without a rotation.
    pub rotation: Option<String>,
    /// True when an `[[override]]` put the person there.
    #[serde(rename = "override")]
    pub by_override: bool,
}

/// Everyone on call at one instant: global overrides first, then one entry per covering
/// rotation in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct OnCallStatus {
    pub on_call: Vec<OnCall>,
}

impl OnCallSchedule {
    /// Parses `oncall.toml`; see [`parse::parse`]. Problems come back all at once, located.
    pub fn parse(file: &str, text: &str, default_zone: Tz) -> (Self, Vec<crate::Diagnostic>) {
        parse::parse(file, text, default_zone)
    }

    /// Who is on call at `at`. Overrides win over rotations: an override for a rotation replaces
    /// that rotation's person (even outside its `days`/`hours`), one without a rotation comes
    /// before every rotation.
    pub fn at(&self, at: DateTime<Utc>) -> OnCallStatus {
        let active = |o: &&Override| o.from <= at && at < o.to;
        let mut on_call: Vec<OnCall> = self
            .overrides
            .iter()
            .filter(active)
            .filter(|o| o.rotation.is_none())
            .map(|o| OnCall {
                person: o.person.clone(),
                rotation: None,
                by_override: true,
            })
            .collect();
        for rotation in &self.rotations {
            let replaced = self
                .overrides
                .iter()
                .filter(active)
                .find(|o| o.rotation.as_deref() == Some(rotation.name.as_str()));
            if let Some(o) = replaced {
                on_call.push(OnCall {
                    person: o.person.clone(),
                    rotation: Some(rotation.name.clone()),
                    by_override: true,
                });
            } else if let Some(person) = rotation.person_at(at) {
                on_call.push(OnCall {
                    person: person.to_string(),
                    rotation: Some(rotation.name.clone()),
                    by_override: false,
                });
            }
        }
        OnCallStatus { on_call }
    }
}

impl OnCallStatus {
    /// `on_call_available`: someone is on call.
    pub fn available(&self) -> bool {
        !self.on_call.is_empty()
    }

    /// `on_call`: the first person on call (see [`OnCallSchedule::at`] for the order).
    pub fn primary(&self) -> Option<&OnCall> {
        self.on_call.first()
    }

    /// `on_call_people`: everyone on call, each name once, in order.
    pub fn people(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for entry in &self.on_call {
            if !out.contains(&entry.person.as_str()) {
                out.push(&entry.person);
            }
        }
        out
    }

    /// The explanation: `alice, rotation primary`, `dave, override`, `nobody is on call`.
    pub fn note(&self) -> String {
        match self.primary() {
            None => "nobody is on call".to_string(),
            Some(first) => {
                let why = match (&first.rotation, first.by_override) {
                    (Some(r), false) => format!("rotation {r}"),
                    (Some(r), true) => format!("override in rotation {r}"),
                    (None, _) => "override".to_string(),
                };
                let more = self.people().len() - 1;
                if more > 0 {
                    format!("{}, {why}; {more} more on call", first.person)
                } else {
                    format!("{}, {why}", first.person)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
