//! SQL for opportunities.
