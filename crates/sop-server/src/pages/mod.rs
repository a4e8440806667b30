//! Server-rendered HTML for people: the approval page behind a notification's link. No
//! JavaScript; every value escaped; a strict Content-Security-Policy on every answer.

pub mod approval;
pub mod html;
