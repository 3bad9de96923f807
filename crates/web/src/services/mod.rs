//! What the site does, without HTTP or templates: the rules and the data
//! every presentation (HTML pages, the JSON API, feeds out) shows. Nothing
//! here knows axum or askama (a tidy test checks); handlers in `html` and
//! `api` call these and only format the result.

pub mod accounts;
pub mod ai;
pub mod articles;
pub mod comments;
pub mod coverage;
pub mod memo;
pub mod password;
pub mod reader;
pub mod reader_apps;
pub mod search;
pub mod sources;
pub mod stories;
