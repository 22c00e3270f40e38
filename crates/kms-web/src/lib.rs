//! The browser shell (in progress).
