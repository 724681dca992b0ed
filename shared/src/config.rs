//! Configuration pieces both services read the same way: the environment
//! they run in, the log format, and envy errors that name the variable.

use serde::Deserialize;

/// Where a service runs; production refuses development conveniences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Local use: missing keys are generated and kept in the data directory.
    #[default]
    Development,
    /// Deployed: keys must be configured.
    Production,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines for a terminal.
    Pretty,
    /// One JSON object per line (what CloudWatch Logs Insights queries best).
    Json,
}

impl LogFormat {
    /// The configured format, else JSON in production and pretty elsewhere.
    pub fn or_default_for(configured: Option<Self>, env: Environment) -> Self {
        configured.unwrap_or(match env {
            Environment::Development => Self::Pretty,
            Environment::Production => Self::Json,
        })
    }
}

/// Describes an envy error with the full variable name (envy reports the
/// field without its prefix) and without echoing the value, which may be a
/// secret.
pub fn describe_envy_error(prefix: &str, error: envy::Error) -> String {
    match error {
        envy::Error::MissingValue(field) => {
            format!("{prefix}{} is required", field.to_uppercase())
        }
        envy::Error::Custom(message) => match message.rsplit_once(" provided by ") {
            Some((head, name)) => {
                let reason = head.split(" while parsing value").next().unwrap_or(head);
                format!("{prefix}{} is invalid: {reason}", name.to_uppercase())
            }
            None => message,
        },
    }
}

/// Parses a boolean flag the way people write them in environment files.
pub fn parse_flag(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Deserializes a `host:port` listen address, naming `variable` in the error
/// (envy cannot: the address is parsed after it hands the value over).
pub fn socket_addr<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    variable: &str,
) -> Result<std::net::SocketAddr, D::Error> {
    let raw = String::deserialize(deserializer)?;
    raw.trim().parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "{variable} must be an address like 127.0.0.1:50051"
        ))
    })
}

/// Deserializes a listen address that can be switched off with `off` (or an
/// empty value), naming `variable` in the error.
pub fn optional_socket_addr<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
    variable: &str,
) -> Result<Option<std::net::SocketAddr>, D::Error> {
    let raw = String::deserialize(deserializer)?;
    let raw = raw.trim();
    if raw.is_empty() || raw.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    raw.parse().map(Some).map_err(|_| {
        serde::de::Error::custom(format!(
            "{variable} must be an address like 127.0.0.1:9051, or off"
        ))
    })
}
