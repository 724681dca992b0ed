//! Validation of job sites.
