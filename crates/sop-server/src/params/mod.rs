//! The path and query extractors every route uses: axum's, with refusals in the API's own
//! words and shape (`400` `bad_request`, naming the parameter, the value given and what to give
//! instead, with the range the OpenAPI document states), in place of the framework's texts.

mod expected;
mod path;
mod percent;
mod query;
mod wording;

pub use path::Path;
pub use query::Query;
