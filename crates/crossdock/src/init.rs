//! init (being written).
