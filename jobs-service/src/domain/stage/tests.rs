//! The stage rules: derivation from a history in any order, and what an
//! old-style write does to a history.

use super::*;

fn ev(id: &str, stage: Stage, occurred_at: i64) -> Event {
    Event {
        id: id.into(),
        stage: number(stage),
        occurred_at,
    }
}

fn counter() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("new-{n}")
    }
}

const POSTING: ParentKind = ParentKind::Posting;

#[test]
fn the_last_event_sets_the_status_and_the_first_of_each_stage_its_date() {
    // Logged out of order: the interview (id 1) was logged before the
    // application (id 2) it followed.
    let events = [
        ev("1", Stage::Interview, 300),
        ev("2", Stage::Applied, 100),
        ev("3", Stage::Rejected, 500),
        ev("4", Stage::Interview, 400),
    ];
    let derived = derive(POSTING, &events, &FollowUpRules::default());
    assert_eq!(derived.status, PostingStatus::Rejected as i64);
    assert_eq!(derived.applied_at, Some(100));
    assert_eq!(derived.interviewed_at, Some(300));
    assert_eq!(derived.rejected_at, Some(500));
}

#[test]
fn analytics_reads_the_stages_reached_and_the_step_after_the_first_application() {
    let events = [
        ev("1", Stage::Open, 50),
        ev("2", Stage::Applied, 200),
        // A second APPLIED at the same time is not a next step; the engaged
        // step logged at that time is.
        ev("3", Stage::Applied, 100),
        ev("4", Stage::Applied, 100),
        ev("5", Stage::Engaged, 100),
        ev("6", Stage::NoResponse, 900),
    ];
    let derived = derive(POSTING, &events, &FollowUpRules::default());
    let bits = [
        Stage::Open,
        Stage::Applied,
        Stage::Engaged,
        Stage::NoResponse,
    ]
    .iter()
    .map(|s| 1 << number(*s))
    .sum::<i64>();
    assert_eq!(derived.stages_reached, bits);
    assert_eq!(derived.next_step_at, Some(100));
    // Without a later step there is none; without an APPLIED step either.
    let waiting = derive(POSTING, &events[1..3], &FollowUpRules::default());
    assert_eq!(waiting.next_step_at, Some(200));
    let alone = derive(
        POSTING,
        &[ev("1", Stage::Applied, 7)],
        &FollowUpRules::default(),
    );
    assert_eq!(alone.next_step_at, None);
    let never = derive(
        POSTING,
        &[ev("1", Stage::Offer, 7)],
        &FollowUpRules::default(),
    );
    assert_eq!((never.next_step_at, never.stages_reached), (None, 1 << 6));
    assert_eq!(stage_bit(0), 0);
    assert_eq!(stage_bit(99), 0);
}

#[test]
fn equal_times_go_to_the_event_logged_last() {
    let events = [ev("2", Stage::Offer, 100), ev("1", Stage::Rejected, 100)];
    assert_eq!(
        derive(POSTING, &events, &FollowUpRules::default()).status,
        PostingStatus::Offer as i64
    );
}

#[test]
fn an_empty_history_is_open_or_new_without_dates() {
    let posting = derive(POSTING, &[], &FollowUpRules::default());
    assert_eq!(posting.status, PostingStatus::Open as i64);
    assert_eq!(posting.applied_at, None);
    let opportunity = derive(ParentKind::Opportunity, &[], &FollowUpRules::default());
    assert_eq!(opportunity.status, OpportunityStatus::New as i64);
}

#[test]
fn every_status_has_a_stage_that_gives_it_back() {
    for status in 1..=8 {
        for kind in ParentKind::ALL {
            assert_eq!(status_of(kind, stage_for_status(kind, status)), status);
        }
    }
    assert_eq!(
        stage_for_status(POSTING, PostingStatus::ActivelyEngaged as i64),
        Stage::Engaged
    );
    assert_eq!(
        status_of(ParentKind::Opportunity, Stage::Withdrawn),
        OpportunityStatus::Declined as i64
    );
}

#[test]
fn a_status_the_history_already_ends_in_logs_nothing() {
    let history = [ev("1", Stage::Applied, 100)];
    let changes = LegacyChanges {
        status: Some(PostingStatus::AwaitingFeedback as i64),
        dates: vec![],
    };
    assert!(legacy_ops(POSTING, &history, &changes, 1000, counter()).is_empty());
}

#[test]
fn a_new_status_is_logged_after_everything_else() {
    let history = [ev("1", Stage::Applied, 5000)];
    let changes = LegacyChanges {
        status: Some(PostingStatus::Rejected as i64),
        dates: vec![],
    };
    let ops = legacy_ops(POSTING, &history, &changes, 1000, counter());
    assert_eq!(ops, [Op::Insert(ev("new-1", Stage::Rejected, 5000))]);
}

#[test]
fn a_create_logs_its_dates_then_a_status_they_do_not_give_and_open_needs_none() {
    let changes = LegacyChanges {
        status: Some(PostingStatus::Open as i64),
        dates: vec![(Stage::Applied, Some(100)), (Stage::Interview, None)],
    };
    let ops = legacy_ops(POSTING, &[], &changes, 1000, counter());
    assert_eq!(
        ops,
        [
            Op::Insert(ev("new-1", Stage::Applied, 100)),
            Op::DeleteStage(number(Stage::Interview)),
            Op::Insert(ev("new-2", Stage::Open, 1000)),
        ]
    );
    let open_only = LegacyChanges {
        status: Some(PostingStatus::Open as i64),
        dates: vec![],
    };
    assert!(legacy_ops(POSTING, &[], &open_only, 1000, counter()).is_empty());
}

#[test]
fn a_date_moves_the_earliest_event_of_its_stage() {
    let history = [ev("1", Stage::Applied, 100), ev("2", Stage::Applied, 50)];
    let changes = LegacyChanges {
        status: None,
        dates: vec![(Stage::Applied, Some(70))],
    };
    let ops = legacy_ops(POSTING, &history, &changes, 1000, counter());
    assert_eq!(
        ops,
        [Op::Move {
            id: "2".into(),
            occurred_at: 70
        }]
    );
}

#[test]
fn status_and_date_columns_are_taken_out_of_a_posting_write() {
    let mut columns: Vec<(&'static str, Value)> = vec![
        ("company_name", "Acme".into()),
        ("posting_status", Value::Int(4)),
        ("rejected_at", Value::MaybeInt(Some(9))),
        ("applied_at", Value::MaybeInt(None)),
    ];
    let changes = LegacyChanges::take(POSTING, &mut columns);
    assert_eq!(columns, [("company_name", Value::from("Acme"))]);
    assert_eq!(changes.status, Some(4));
    assert_eq!(
        changes.dates,
        [(Stage::Rejected, Some(9)), (Stage::Applied, None)]
    );
}

#[test]
fn parents_are_resource_names_with_an_id() {
    let id = "01900000-0000-7000-8000-000000000001";
    let parent = Parent::parse(&format!("jobPostings/{id}")).unwrap();
    assert_eq!((parent.kind, parent.id.as_str()), (POSTING, id));
    assert_eq!(Parent::name(parent.kind, id), format!("jobPostings/{id}"));
    assert!(Parent::parse(&format!("opportunities/{id}")).is_ok());
    assert!(Parent::parse(id).is_err());
    assert!(Parent::parse("jobSites/x").is_err());
    assert!(Parent::parse("jobPostings/not-an-id").is_err());
}

#[test]
fn only_closing_stages_take_a_close_reason() {
    assert!(check_close_reason(Stage::Rejected, CloseReason::NotAFit).is_ok());
    assert!(check_close_reason(Stage::Offer, CloseReason::Unspecified).is_ok());
    assert!(check_close_reason(Stage::Offer, CloseReason::NotAFit).is_err());
}
