//! Validation of job postings.
