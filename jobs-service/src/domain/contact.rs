//! Validation of contacts and of their links to postings, opportunities and
//! interviews: create and masked update become column values; link targets
//! become a validated [`Target`].

use prost_types::FieldMask;
use shared::proto::jobsearch::jobs::v1::{self as pb, ContactRole};

use super::{
    Value, Violations, bounded, enum_value, http_url, id, long_text, mask_paths, required_text,
    text,
};
use crate::{
    error::{Error, Result},
    paging::Page,
};

/// Longest name, company or title (the opportunity's recruiter fields hold
/// as much, so a contact always fits them).
pub const MAX_NAME: usize = 128;
/// Longest e-mail address (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// Longest phone number.
pub const MAX_PHONE: usize = 32;
/// Most profile URLs.
pub const MAX_LINKS: usize = 10;
/// Longest profile URL.
pub const MAX_URL: usize = 2048;
/// Longest notes.
pub const MAX_NOTES: usize = 5000;
/// Most links (to postings, opportunities, interviews) one contact may have.
pub const MAX_LINKS_PER_CONTACT: usize = 50;

/// The writable fields of `Contact`, in message order; each is its column.
const WRITABLE: [&str; 7] = [
    "name", "company", "title", "email", "phone", "links", "notes",
];

/// Validated column values.
pub type Columns = Vec<(&'static str, Value)>;

/// A validated masked update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactUpdate {
    /// The contact's id.
    pub id: String,
    /// The masked fields' new values; never empty.
    pub columns: Columns,
}

/// What a contact can be linked to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    /// A job posting.
    Posting,
    /// A recruiter opportunity.
    Opportunity,
    /// An interview.
    Interview,
}

impl TargetKind {
    const ALL: [Self; 3] = [Self::Posting, Self::Opportunity, Self::Interview];

    /// The target's table.
    pub fn table(self) -> &'static str {
        match self {
            Self::Posting => "job_postings",
            Self::Opportunity => "opportunities",
            Self::Interview => "interviews",
        }
    }

    /// The `contact_links` column naming a target of this kind.
    pub fn column(self) -> &'static str {
        match self {
            Self::Posting => "job_posting_id",
            Self::Opportunity => "opportunity_id",
            Self::Interview => "interview_id",
        }
    }

    /// What `NotFound` names.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Posting => "job posting",
            Self::Opportunity => "opportunity",
            Self::Interview => "interview",
        }
    }

    fn collection(self) -> &'static str {
        match self {
            Self::Posting => "jobPostings",
            Self::Opportunity => "opportunities",
            Self::Interview => "interviews",
        }
    }
}

/// A validated target resource name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Posting, opportunity or interview.
    pub kind: TargetKind,
    /// Its id.
    pub id: String,
}

impl Target {
    /// Parses `jobPostings/{id}`, `opportunities/{id}` or `interviews/{id}`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let refused =
            || "must be jobPostings/{id}, opportunities/{id} or interviews/{id}".to_owned();
        let (collection, raw_id) = raw.split_once('/').ok_or_else(refused)?;
        let kind = TargetKind::ALL
            .into_iter()
            .find(|kind| kind.collection() == collection)
            .ok_or_else(refused)?;
        Ok(Self {
            kind,
            id: id(raw_id)?,
        })
    }

    /// The resource name.
    pub fn name(&self) -> String {
        format!("{}/{}", self.kind.collection(), self.id)
    }
}

/// A validated link or unlink: `role` is `None` for "every role" (unlink
/// only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The contact's id.
    pub contact_id: String,
    /// What it is linked to.
    pub target: Target,
    /// The part it plays.
    pub role: Option<ContactRole>,
}

/// A validated `ListContacts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPage {
    /// Id order paging.
    pub page: Page,
    /// Only the contacts linked to this target.
    pub parent: Option<Target>,
}

/// Checks every writable field of a contact to create.
pub fn parse_create(raw: Option<&pb::Contact>) -> Result<Columns> {
    let raw = raw.cloned().unwrap_or_default();
    let mut violations = Violations::default();
    let columns = WRITABLE
        .iter()
        .filter_map(|path| column(&mut violations, &raw, path))
        .collect();
    violations.finish()?;
    Ok(columns)
}

/// Checks the id and every masked field of an update.
pub fn parse_update(raw: Option<pb::Contact>, mask: Option<FieldMask>) -> Result<ContactUpdate> {
    let raw = raw.unwrap_or_default();
    let mut violations = Violations::default();
    let id = violations.check("contact.id", id(&raw.id));
    let paths = mask_paths(mask);
    violations.include(&paths);
    let columns = paths
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|path| column(&mut violations, &raw, path))
        .collect();
    violations.finish()?;
    Ok(ContactUpdate {
        id: id.unwrap_or_default(),
        columns,
    })
}

/// The column the field at `path` sets and its checked value, or `None` with
/// the violation recorded. This match is the allowlist of writable columns.
fn column(
    violations: &mut Violations,
    raw: &pb::Contact,
    path: &str,
) -> Option<(&'static str, Value)> {
    let field = format!("contact.{path}");
    let checked = match path {
        "name" => required_text(&raw.name, MAX_NAME).map(Value::from),
        "company" => text(&raw.company, MAX_NAME).map(Value::from),
        "title" => text(&raw.title, MAX_NAME).map(Value::from),
        "email" => email(&raw.email).map(Value::from),
        "phone" => phone(&raw.phone).map(Value::from),
        "links" => {
            let urls = links(violations, &field, &raw.links)?;
            // A list of strings always serializes; refuse rather than drop.
            serde_json::to_string(&urls)
                .map(Value::from)
                .map_err(|_| "cannot be stored".to_owned())
        }
        "notes" => long_text(&raw.notes, MAX_NOTES).map(Value::from),
        "id" | "create_time" | "update_time" => Err("is output only".to_owned()),
        _ => Err("is not a field of Contact".to_owned()),
    };
    let value = violations.check(&field, checked)?;
    let column = WRITABLE.iter().find(|name| **name == path)?;
    Some((column, value))
}

/// Profile URLs, each checked (violations on `<field>[i]`).
fn links(violations: &mut Violations, field: &str, raw: &[String]) -> Option<Vec<String>> {
    violations.check(field, bounded(raw.iter().collect(), MAX_LINKS))?;
    let mut valid = Vec::with_capacity(raw.len());
    for (i, url) in raw.iter().enumerate() {
        let checked = http_url(url, MAX_URL).and_then(|(url, _)| {
            (!url.is_empty())
                .then_some(url)
                .ok_or_else(|| "must not be empty".to_owned())
        });
        if let Some(url) = violations.check(&format!("{field}[{i}]"), checked) {
            valid.push(url);
        }
    }
    (valid.len() == raw.len()).then_some(valid)
}

/// An e-mail address, or empty: one `@` between a local part and a domain
/// with a dot, no spaces or controls. Deliverability is not our business.
pub fn email(raw: &str) -> Result<String, String> {
    let value = text(raw, MAX_EMAIL)?;
    if value.is_empty() {
        return Ok(value);
    }
    let refused = || "is not an e-mail address".to_owned();
    let (local, domain) = value.split_once('@').ok_or_else(refused)?;
    let labels_ok = domain.split('.').count() >= 2 && domain.split('.').all(|l| !l.is_empty());
    if local.is_empty() || domain.contains('@') || !labels_ok || value.contains(char::is_whitespace)
    {
        return Err(refused());
    }
    Ok(value)
}

/// A phone number, or empty: digits, spaces and `+ - ( ) .`, with a digit.
pub fn phone(raw: &str) -> Result<String, String> {
    let value = text(raw, MAX_PHONE)?;
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    if !value.is_empty()
        && (!value.chars().all(allowed) || !value.contains(|c: char| c.is_ascii_digit()))
    {
        return Err("must be digits, spaces and + - ( ) . only".into());
    }
    Ok(value)
}

/// Checks `LinkContact`: violations name `link.<field>`.
pub fn parse_link(raw: Option<&pb::ContactLink>) -> Result<Link> {
    let empty = pb::ContactLink::default();
    let raw = raw.unwrap_or(&empty);
    let mut violations = Violations::default();
    let contact_id = violations.check("link.contact_id", id(&raw.contact_id));
    let target = violations.check("link.target", Target::parse(&raw.target));
    let role = violations.check("link.role", enum_value::<ContactRole>(raw.role, None));
    violations.finish()?;
    let missing = || Error::invalid("link", "is incomplete");
    Ok(Link {
        contact_id: contact_id.ok_or_else(missing)?,
        target: target.ok_or_else(missing)?,
        role: Some(role.ok_or_else(missing)?),
    })
}

/// Checks `UnlinkContact`: an unspecified role is every role.
pub fn parse_unlink(raw: &pb::UnlinkContactRequest) -> Result<Link> {
    let mut violations = Violations::default();
    let contact_id = violations.check("contact_id", id(&raw.contact_id));
    let target = violations.check("target", Target::parse(&raw.target));
    let role = violations.check("role", enum_value(raw.role, Some(ContactRole::Unspecified)));
    violations.finish()?;
    let missing = || Error::invalid("target", "is required");
    Ok(Link {
        contact_id: contact_id.ok_or_else(missing)?,
        target: target.ok_or_else(missing)?,
        role: role.filter(|role| *role != ContactRole::Unspecified),
    })
}

/// Checks `ListContacts`.
pub fn parse_list(raw: &pb::ListContactsRequest) -> Result<ContactPage> {
    let mut violations = Violations::default();
    let page = Page::parse(raw.page_size, &raw.page_token);
    violations.include(&page);
    let parent = match raw.parent.as_str() {
        "" => None,
        parent => violations.check("parent", Target::parse(parent)),
    };
    violations.finish()?;
    Ok(ContactPage {
        page: page?,
        parent,
    })
}

/// Profile URLs from their stored JSON text; anything else is corruption.
pub fn links_from_json(json: &str) -> Result<Vec<String>> {
    serde_json::from_str(json)
        .map_err(|error| Error::Internal(anyhow::Error::new(error).context("stored links")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "01900000-0000-7000-8000-000000000001";

    fn fields(error: Error) -> Vec<String> {
        match error {
            Error::InvalidArgument(found) => found.into_iter().map(|(f, _)| f).collect(),
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn emails_and_phones_are_plausible_or_empty() {
        assert_eq!(email(" ada@example.com ").unwrap(), "ada@example.com");
        assert_eq!(email("").unwrap(), "");
        for bad in [
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a@b@c.d",
            "a b@c.d",
            "a@.com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert_eq!(phone("+33 (0)1 23-45.67").unwrap(), "+33 (0)1 23-45.67");
        assert!(phone("call me").is_err());
        assert!(phone("+--").is_err());
    }

    #[test]
    fn a_create_names_every_bad_field() {
        let raw = pb::Contact {
            email: "nope".into(),
            links: vec![
                "https://example.com/ada".into(),
                "javascript:alert(1)".into(),
            ],
            ..Default::default()
        };
        let error = parse_create(Some(&raw)).unwrap_err();
        assert_eq!(
            fields(error),
            ["contact.name", "contact.email", "contact.links[1]"]
        );
    }

    #[test]
    fn targets_are_postings_opportunities_or_interviews() {
        let target = Target::parse(&format!("interviews/{ID}")).unwrap();
        assert_eq!(target.kind, TargetKind::Interview);
        assert_eq!(target.name(), format!("interviews/{ID}"));
        assert!(Target::parse(&format!("jobSites/{ID}")).is_err());
        assert!(Target::parse("interviews/x").is_err());
    }

    #[test]
    fn a_link_needs_a_role_and_an_unlink_does_not() {
        let raw = pb::ContactLink {
            contact_id: ID.into(),
            target: format!("jobPostings/{ID}"),
            ..Default::default()
        };
        assert_eq!(fields(parse_link(Some(&raw)).unwrap_err()), ["link.role"]);
        let unlink = pb::UnlinkContactRequest {
            contact_id: ID.into(),
            target: format!("jobPostings/{ID}"),
            role: 0,
        };
        assert_eq!(parse_unlink(&unlink).unwrap().role, None);
    }
}
