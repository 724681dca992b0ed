//! Use cases for job postings.
