//! Typed parameters: what an SOP declares under `[variables.NAME]` in SOP.toml, and checking the
//! variables of a start against those declarations.
//!
//! Every start (by hand, a webhook, an event) calls [`Parameters::validate`], which reports every
//! problem at once and fills in defaults. A manual start of an SOP that declares parameters may
//! not pass undeclared variables (a typo guard); webhooks and events may (payloads are what they
//! are). [`Parameters::json_schema`] describes the same rules as JSON Schema for forms and API
//! clients.

mod model;
mod problem;
mod schema;
mod summary;
mod validate;

pub use model::{Bounded, Bounds, ParamType, Parameter, Parameters, Pattern};
pub use problem::{Measure, ParameterProblem, ProblemKind};
pub use schema::SCHEMA_DIALECT;
pub use validate::StartOrigin;
