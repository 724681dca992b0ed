//! Validation of opportunitys.
