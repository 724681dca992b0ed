//! Use cases for opportunities.
