//! Use cases for dashboard.
