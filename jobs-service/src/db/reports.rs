//! SQL for reports.
