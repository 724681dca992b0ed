//! Full-text search: ranking, filters and paging, query text that looks
//! like query syntax or SQL, and isolation between users. The back-fill of
//! postings stored before the index existed is in `search_backfill`.

use shared::proto::jobsearch::jobs::v1::{self as pb, PostingStatus, Source};
use tonic::Code;

use crate::{
    helpers::{expect_code, spawn_app},
    opportunities::violated_fields,
    tag_helpers::{add_posting, found, found_postings, posting, query, site, update_posting},
};

#[tokio::test]
async fn a_title_match_ranks_above_a_description_only_match() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let site = site(&app, &ada).await;
    let described = pb::JobPosting {
        job_description: "We write Kubernetes operators in Rust. Rust everywhere, \
                          and more Rust on the side."
            .into(),
        ..posting(&site, "Initech", "Backend Developer", &[])
    };
    let described = add_posting(&app, &ada, described).await;
    let titled = pb::JobPosting {
        job_description: "A backend role on payments.".into(),
        ..posting(&site, "Globex", "Rust Engineer", &["rust"])
    };
    let titled = add_posting(&app, &ada, titled).await;
    let noted = pb::JobPosting {
        comments: vec![pb::Comment {
            text: "Recruiter said the Kubernetes team is hiring".into(),
            create_time: None,
        }],
        outreach_info: "Wrote to Grace on Mastodon".into(),
        job_scan_info: "Scan: 80% match on Terraform".into(),
        ..posting(&site, "Umbrella", "Platform Engineer", &[])
    };
    let noted = add_posting(&app, &ada, noted).await;
    add_posting(&app, &ada, posting(&site, "Hooli", "Go Developer", &[])).await;

    let results = found_postings(&app, &ada, query("rust")).await.unwrap();
    let ids: Vec<&str> = results.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, [titled.id.as_str(), described.id.as_str()]);
    // Results are list-shaped: tags included, passwords never.
    assert_eq!(results[0].tags, ["rust"]);
    assert!(results.iter().all(|p| p.posting_password.is_empty()));

    // Every word must match, ignoring case, in any searched field.
    assert_eq!(
        found(&app, &ada, query("RUST engineer")).await.unwrap(),
        [titled.id.as_str()]
    );
    assert_eq!(
        found(&app, &ada, query("globex")).await.unwrap(),
        [titled.id.as_str()]
    );
    // Notes: comments, outreach and scan notes.
    assert_eq!(
        found(&app, &ada, query("kubernetes")).await.unwrap(),
        [described.id.clone(), noted.id.clone()]
    );
    assert_eq!(
        found(&app, &ada, query("mastodon")).await.unwrap(),
        [noted.id.as_str()]
    );
    assert_eq!(
        found(&app, &ada, query("terraform")).await.unwrap(),
        [noted.id.as_str()]
    );
    assert!(found(&app, &ada, query("python")).await.unwrap().is_empty());

    // The index follows updates of the searched fields.
    let renamed = pb::JobPosting {
        posting_title: "Elixir Engineer".into(),
        ..titled.clone()
    };
    update_posting(&app, &ada, renamed, &["posting_title"])
        .await
        .unwrap();
    assert_eq!(
        found(&app, &ada, query("rust")).await.unwrap(),
        [described.id.as_str()]
    );
    assert_eq!(
        found(&app, &ada, query("elixir")).await.unwrap(),
        [titled.id.as_str()]
    );
}

#[tokio::test]
async fn search_filters_combine_and_pages_cover_every_match_once() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let (s1, s2) = (site(&app, &ada).await, site(&app, &ada).await);
    let mut ids = Vec::new();
    for (i, (site, tags, source, status)) in [
        (&s1, vec!["remote"], Source::Referral, PostingStatus::Open),
        (&s1, vec![], Source::Referral, PostingStatus::Rejected),
        (&s2, vec!["remote"], Source::JobSite, PostingStatus::Open),
        (&s1, vec!["remote"], Source::Referral, PostingStatus::Open),
        (&s1, vec!["Remote"], Source::Referral, PostingStatus::Offer),
    ]
    .into_iter()
    .enumerate()
    {
        let p = pb::JobPosting {
            source: source as i32,
            posting_status: status as i32,
            ..posting(site, &format!("Company {i}"), "Rust Engineer", &tags)
        };
        ids.push(add_posting(&app, &ada, p).await.id);
    }
    let paged = |request: pb::SearchJobPostingsRequest| pb::SearchJobPostingsRequest {
        page_size: 2,
        ..request
    };
    let mut all = found(&app, &ada, paged(query("rust engineer")))
        .await
        .unwrap();
    all.sort();
    let mut expected = ids.clone();
    expected.sort();
    assert_eq!(all, expected);

    let filtered = pb::SearchJobPostingsRequest {
        job_site_id: s1.clone(),
        tag: "REMOTE".into(),
        source: Source::Referral as i32,
        statuses: vec![PostingStatus::Open as i32, PostingStatus::Offer as i32],
        ..paged(query("engineer"))
    };
    let mut hits = found(&app, &ada, filtered).await.unwrap();
    hits.sort();
    let mut expected = vec![ids[0].clone(), ids[3].clone(), ids[4].clone()];
    expected.sort();
    assert_eq!(hits, expected);

    let bad = pb::SearchJobPostingsRequest {
        page_size: 101,
        page_token: "not-a-token".into(),
        job_site_id: "x".into(),
        statuses: vec![0],
        source: 77,
        ..query("rust")
    };
    let status = expect_code(found(&app, &ada, bad).await, Code::InvalidArgument);
    assert_eq!(
        violated_fields(&status),
        [
            "page_size",
            "page_token",
            "job_site_id",
            "statuses[0]",
            "source"
        ]
    );
}

#[tokio::test]
async fn query_text_that_looks_like_syntax_is_plain_words() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let site = site(&app, &ada).await;
    let near = pb::JobPosting {
        job_description: "Office near the station; rust or go".into(),
        ..posting(&site, "Acme", "Engineer", &[])
    };
    let near = add_posting(&app, &ada, near).await;
    let python = pb::JobPosting {
        job_description: "python only".into(),
        ..posting(&site, "Initech", "Engineer", &[])
    };
    add_posting(&app, &ada, python).await;

    for text in [
        "\"rust OR",
        "NEAR(",
        "NEAR(rust go",
        "rust*",
        "-go rust",
        "station\"",
        "'; DROP TABLE job_postings; --",
        "job_description:rust",
        "rust AND NOT go",
        "^rust",
        "{rust}",
    ] {
        let result = found(&app, &ada, query(text)).await;
        assert!(result.is_ok(), "{text:?}: {result:?}");
    }
    // Operators are words to find, so they do not widen or narrow a query:
    // "python OR rust" needs all three words.
    assert!(
        found(&app, &ada, query("python OR rust"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        found(&app, &ada, query("rust OR go")).await.unwrap(),
        [near.id.as_str()]
    );
    assert_eq!(
        found(&app, &ada, query("NEAR( station")).await.unwrap(),
        [near.id.as_str()]
    );
    assert_eq!(
        found(&app, &ada, query("\"rust")).await.unwrap(),
        [near.id.as_str()]
    );
    // Punctuation alone matches nothing; the table is still there.
    assert!(
        found(&app, &ada, query("( * ) \""))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(found(&app, &ada, query("python")).await.unwrap().len(), 1);

    for empty in ["", "   "] {
        let status = expect_code(found(&app, &ada, query(empty)).await, Code::InvalidArgument);
        assert_eq!(violated_fields(&status), ["query"]);
    }
    let long = "a".repeat(201);
    let status = expect_code(found(&app, &ada, query(&long)).await, Code::InvalidArgument);
    assert_eq!(violated_fields(&status), ["query"]);
}

#[tokio::test]
async fn search_finds_only_the_callers_postings() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let bob = app.user("bob").await;
    let ada_site = site(&app, &ada).await;
    let bob_site = site(&app, &bob).await;
    let adas = add_posting(
        &app,
        &ada,
        posting(&ada_site, "Acme", "Rust Engineer", &["x"]),
    )
    .await;
    let bobs = add_posting(
        &app,
        &bob,
        posting(&bob_site, "Acme", "Rust Engineer", &["x"]),
    )
    .await;
    assert_eq!(found(&app, &ada, query("rust")).await.unwrap(), [adas.id]);
    assert_eq!(found(&app, &bob, query("acme")).await.unwrap(), [bobs.id]);
    // Filters cannot reach across either: Bob's site on Ada's search.
    let across = pb::SearchJobPostingsRequest {
        job_site_id: bob_site,
        ..query("rust")
    };
    assert!(found(&app, &ada, across).await.unwrap().is_empty());
}

#[tokio::test]
async fn concurrent_creates_with_a_new_tag_all_land_in_the_index_and_share_the_tag() {
    let app = spawn_app().await;
    let ada = app.user("ada").await;
    let site = site(&app, &ada).await;
    let writers = (0..8).map(|i| {
        let p = pb::JobPosting {
            job_description: format!("posting number{i} about zeppelins"),
            ..posting(&site, &format!("Company {i}"), "Engineer", &["Airships"])
        };
        add_posting(&app, &ada, p)
    });
    let created = futures::future::join_all(writers).await;
    assert!(created.iter().all(|p| p.tags == ["Airships"]));
    let mut ids: Vec<String> = created.into_iter().map(|p| p.id).collect();
    let mut hits = found(&app, &ada, query("zeppelins")).await.unwrap();
    ids.sort();
    hits.sort();
    assert_eq!(hits, ids);
    let tags = crate::tag_helpers::all_tags(&app, &ada, 0).await;
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0].job_postings, 8);
}
