//! Article extraction: HTML bytes + URL -> [`Article`]. Pure: no IO, no async.
