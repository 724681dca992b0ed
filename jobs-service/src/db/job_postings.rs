//! SQL for job postings.
