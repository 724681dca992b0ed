//! SQL for job sites.
