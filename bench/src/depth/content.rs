//! What the depth seeder writes: the word lists and how one application's
//! history, one posting and one contact are drawn.

use rand::{Rng as _, rngs::StdRng, seq::SliceRandom as _};
use shared::proto::jobsearch::jobs::v1::{
    Comment, Contact, JobPosting, PostingStatus, Source, Stage,
};

use super::DAY;

/// First words of company names: "Zephyr Labs", "Quartz Systems"...; each
/// is in about 1 posting in 20, a mid-frequency search word.
const COMPANY_WORDS: [&str; 20] = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Soylent",
    "Vandelay",
    "Wonka",
    "Cyberdyne",
    "Tyrell",
    "Massive",
    "Aperture",
    "Zephyr",
    "Quartz",
    "Nimbus",
    "Orbital",
    "Lumen",
    "Juniper",
];
const COMPANY_KINDS: [&str; 6] = ["Labs", "Systems", "Analytics", "Industries", "Corp", "Tech"];
const TITLES: [&str; 10] = [
    "Backend Engineer",
    "Senior Python Developer",
    "Full Stack Engineer",
    "Rust Systems Engineer",
    "Platform Engineer",
    "Software Engineer II",
    "Site Reliability Engineer",
    "Data Engineer",
    "API Developer",
    "Staff Engineer",
];
/// Words of which each description carries one: each is in about one
/// posting in 60, the rare search words (`bench run search` asks for some).
const RARE_WORDS: [&str; 60] = [
    "aardvark",
    "basilisk",
    "capybara",
    "dromedary",
    "echidna",
    "flamingo",
    "gazelle",
    "hedgehog",
    "ibex",
    "jackal",
    "kinkajou",
    "lemur",
    "mongoose",
    "narwhal",
    "ocelot",
    "pangolin",
    "quokka",
    "raccoon",
    "salamander",
    "tapir",
    "urchin",
    "vicuna",
    "wombat",
    "xerus",
    "yak",
    "zebu",
    "albatross",
    "bison",
    "cormorant",
    "dingo",
    "ermine",
    "ferret",
    "gibbon",
    "heron",
    "iguana",
    "jaguar",
    "koala",
    "llama",
    "marmot",
    "newt",
    "okapi",
    "puffin",
    "quail",
    "reindeer",
    "sloth",
    "toucan",
    "uakari",
    "vole",
    "walrus",
    "yabby",
    "zorilla",
    "axolotl",
    "bonobo",
    "civet",
    "dugong",
    "eland",
    "fossa",
    "gecko",
    "hyrax",
    "impala",
];
const TECH: [&str; 12] = [
    "Python",
    "Django",
    "PostgreSQL",
    "React",
    "TypeScript",
    "Rust",
    "Tokio",
    "gRPC",
    "Kubernetes",
    "AWS",
    "Redis",
    "Go",
];
const FIRST_NAMES: [&str; 20] = [
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi",
    "Liam", "Maya", "Nils", "Olga", "Pedro", "Quinn", "Rosa", "Sami", "Tara",
];
const LAST_NAMES: [&str; 15] = [
    "Nakamura",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Castillo",
    "Novak",
    "Brennan",
    "Haddad",
    "Kowalski",
    "Ferreira",
    "Yilmaz",
    "Andersen",
    "Rossi",
    "Dubois",
    "Schmidt",
];
const SOURCES: [Source; 6] = [
    Source::JobSite,
    Source::JobSite,
    Source::JobSite,
    Source::Referral,
    Source::Recruiter,
    Source::CompanySite,
];
const TAGS: [&str; 8] = [
    "remote",
    "dream-job",
    "fintech",
    "startup",
    "visa",
    "contract",
    "priority",
    "backup",
];
const BLURB: &str = "We are looking for an engineer to design, build and operate reliable services. \
    You will own features end to end, write tests, review code and improve our delivery pipeline. ";

/// The later steps of one application after APPLIED (which creating the
/// posting records), as (stage, days after applying), by how it went.
pub(super) fn history(rng: &mut StdRng) -> Vec<(Stage, i64)> {
    let reply = rng.gen_range(2..=30);
    match rng.gen_range(0..100) {
        // Still waiting, chased once.
        0..20 => vec![(Stage::AwaitingFeedback, 10)],
        // Chased, then written off.
        20..50 => vec![(Stage::AwaitingFeedback, 10), (Stage::NoResponse, 35)],
        // A form rejection.
        50..70 => vec![(Stage::Rejected, reply)],
        // A screening call, then no.
        70..82 => vec![(Stage::Engaged, reply), (Stage::Rejected, reply + 7)],
        // Interviews, then no.
        82..94 => vec![
            (Stage::Engaged, reply),
            (Stage::Interview, reply + 7),
            (Stage::Interview, reply + 14),
            (Stage::Rejected, reply + 20),
        ],
        // An offer, accepted or declined.
        _ => vec![
            (Stage::Engaged, reply),
            (Stage::Interview, reply + 7),
            (Stage::Offer, reply + 21),
            (
                if rng.gen_bool(0.5) {
                    Stage::Accepted
                } else {
                    Stage::Withdrawn
                },
                reply + 25,
            ),
        ],
    }
}

/// Posting number `j` of a user, applied at `applied` (Unix seconds).
pub(super) fn posting(rng: &mut StdRng, site_id: &str, applied: i64) -> JobPosting {
    let company = format!(
        "{} {}",
        COMPANY_WORDS.choose(rng).unwrap_or(&"Acme"),
        COMPANY_KINDS.choose(rng).unwrap_or(&"Labs")
    );
    let count = rng.gen_range(2..=5);
    let technologies: Vec<String> = TECH
        .choose_multiple(rng, count)
        .map(|t| (*t).to_owned())
        .collect();
    let rare = RARE_WORDS.choose(rng).unwrap_or(&"aardvark");
    let comments = (0..rng.gen_range(0..=2))
        .map(|k| Comment {
            text: format!(
                "Spoke to {} about the team; stack is {}.",
                FIRST_NAMES.choose(rng).unwrap_or(&"Ada"),
                technologies.join(", ")
            ),
            create_time: Some(shared::timestamp(applied + (k + 1) * DAY)),
        })
        .collect();
    let count = rng.gen_range(0..=2);
    let tags = TAGS
        .choose_multiple(rng, count)
        .map(|t| (*t).to_owned())
        .collect();
    JobPosting {
        job_site_id: site_id.to_owned(),
        posting_title: (*TITLES.choose(rng).unwrap_or(&"Engineer")).to_owned(),
        posting_status: PostingStatus::AwaitingFeedback as i32,
        posting_url_full: format!(
            "https://jobs.example.com/{}/{}",
            company.to_lowercase().replace(' ', "-"),
            rng.r#gen::<u32>()
        ),
        company_name: company,
        applied_at: Some(shared::timestamp(applied)),
        time_spent: Some(rng.gen_range(10..=180)),
        job_description: format!(
            "{BLURB}The team works with {} and its mascot is a {rare}.",
            technologies.join(", ")
        ),
        technology_stack: technologies,
        comments,
        source: *SOURCES.choose(rng).unwrap_or(&Source::JobSite) as i32,
        tags,
        ..Default::default()
    }
}

/// Contact number `k`: first × last names give 300 distinct people.
pub(super) fn contact(rng: &mut StdRng, k: usize) -> Contact {
    let first = FIRST_NAMES[k % FIRST_NAMES.len()];
    let last = LAST_NAMES[(k / FIRST_NAMES.len()) % LAST_NAMES.len()];
    Contact {
        name: format!("{first} {last}"),
        company: format!(
            "{} {}",
            COMPANY_WORDS.choose(rng).unwrap_or(&"Acme"),
            COMPANY_KINDS.choose(rng).unwrap_or(&"Labs")
        ),
        title: (*[
            "Recruiter",
            "Engineering Manager",
            "Staff Engineer",
            "Talent Partner",
        ]
        .choose(rng)
        .unwrap_or(&"Recruiter"))
        .to_owned(),
        email: format!(
            "{}.{}{k}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        ),
        notes: "Met through the job search; friendly, answers within a week.".to_owned(),
        ..Default::default()
    }
}
