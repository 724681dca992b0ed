//! Use cases for reports.
