//! Use cases for job sites.
