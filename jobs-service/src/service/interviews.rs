//! Use cases for interviews: schedule, read, list, edit and delete one
//! parent's interviews, list the upcoming ones across parents, and export
//! them as a calendar. Scheduling touches the parent first (as every history
//! write does) so that concurrent creates count one parent's interviews in
//! turn; edits and deletes change only the interview's own row, since
//! nothing on the parent is derived from its interviews.

use shared::proto::jobsearch::jobs::v1::{InterviewKind, InterviewOutcome};

use crate::{
    db::{
        Tx,
        interviews::{self, InterviewRow, ScheduledRow},
        stage_events,
    },
    domain::{
        ics::{self, CalendarEvent},
        interview::{
            InterviewUpdate, MAX_EXPORT, MAX_INTERVIEWS_PER_PARENT, NewInterview, ParentPage,
            Window,
        },
        now,
        stage_event::EventPage,
    },
    error::{Error, Result},
    state::AppState,
};

/// What `NotFound` names.
const NOT_FOUND: Error = Error::NotFound("interview");

/// An interview with the ids of its INTERVIEWER contacts.
pub type WithInterviewers<T> = (T, Vec<String>);

impl AppState {
    /// Schedules an interview under one of `user_id`'s postings or
    /// opportunities.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn create_interview(
        &self,
        user_id: &str,
        new: NewInterview,
    ) -> Result<WithInterviewers<InterviewRow>> {
        let now = now();
        let parent = &new.parent;
        let id = uuid::Uuid::now_v7().to_string();
        let mut tx = self.writer.begin().await?;
        if stage_events::touch_parent(&mut *tx, user_id, parent, now).await? == 0 {
            return Err(Error::NotFound(parent.kind.noun()));
        }
        interviews::insert(&mut *tx, user_id, &id, parent, &new.columns, now).await?;
        let count = interviews::count(&mut *tx, user_id, parent).await?;
        if usize::try_from(count).unwrap_or(usize::MAX) > MAX_INTERVIEWS_PER_PARENT {
            return Err(Error::invalid(
                "parent",
                format!("already has {MAX_INTERVIEWS_PER_PARENT} interviews"),
            ));
        }
        let row = interviews::find(&mut *tx, user_id, &id)
            .await?
            .ok_or(NOT_FOUND)?;
        tx.commit().await?;
        Ok((row, Vec::new()))
    }

    /// One of `user_id`'s interviews.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn get_interview(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<WithInterviewers<InterviewRow>> {
        let mut tx = self.db.begin().await?;
        let row = interviews::find(&mut *tx, user_id, id)
            .await?
            .ok_or(NOT_FOUND)?;
        let mut found = with_interviewers(&mut tx, user_id, vec![row], |row| row).await?;
        tx.commit().await?;
        found.pop().ok_or(NOT_FOUND)
    }

    /// One page of a parent's interviews and the next page's token. Another
    /// user's parent is `NOT_FOUND`, not an empty list.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn list_interviews(
        &self,
        user_id: &str,
        page: &ParentPage,
    ) -> Result<(Vec<WithInterviewers<InterviewRow>>, String)> {
        let parent = &page.parent;
        let mut tx = self.db.begin().await?;
        if !stage_events::parent_exists(&mut *tx, user_id, parent).await? {
            return Err(Error::NotFound(parent.kind.noun()));
        }
        let rows = interviews::page(
            &mut *tx,
            user_id,
            parent,
            page.after.as_ref(),
            page.size + 1,
        )
        .await?;
        let (rows, token) = finish(rows, page.size, |row| row);
        let rows = with_interviewers(&mut tx, user_id, rows, |row| row).await?;
        tx.commit().await?;
        Ok((rows, token))
    }

    /// Applies a masked update to one of `user_id`'s interviews.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn update_interview(
        &self,
        user_id: &str,
        update: InterviewUpdate,
    ) -> Result<WithInterviewers<InterviewRow>> {
        let mut tx = self.writer.begin().await?;
        if interviews::update(&mut *tx, user_id, &update.id, now(), &update.columns).await? == 0 {
            return Err(NOT_FOUND);
        }
        let row = interviews::find(&mut *tx, user_id, &update.id)
            .await?
            .ok_or(NOT_FOUND)?;
        let mut found = with_interviewers(&mut tx, user_id, vec![row], |row| row).await?;
        tx.commit().await?;
        found.pop().ok_or(NOT_FOUND)
    }

    /// Deletes one of `user_id`'s interviews and its contact links.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn delete_interview(&self, user_id: &str, id: &str) -> Result<()> {
        match interviews::delete(&self.writer, user_id, id).await? {
            0 => Err(NOT_FOUND),
            _ => Ok(()),
        }
    }

    /// One page of `user_id`'s interviews in a window, across parents.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn list_upcoming_interviews(
        &self,
        user_id: &str,
        window: &Window,
    ) -> Result<(Vec<WithInterviewers<ScheduledRow>>, String)> {
        let mut tx = self.db.begin().await?;
        let rows = interviews::window(
            &mut *tx,
            user_id,
            window.from,
            window.until,
            window.after.as_ref(),
            window.size + 1,
        )
        .await?;
        let (rows, token) = finish(rows, window.size, |row| &row.interview);
        let rows = with_interviewers(&mut tx, user_id, rows, |row| &row.interview).await?;
        tx.commit().await?;
        Ok((rows, token))
    }

    /// `user_id`'s interviews in a window as an iCalendar text, and how many
    /// it holds. A window of more than [`MAX_EXPORT`] is refused on `from`
    /// rather than cut short silently.
    #[tracing::instrument(skip_all, fields(user_id = %user_id))]
    pub async fn export_interviews(&self, user_id: &str, window: &Window) -> Result<(String, i64)> {
        let rows = interviews::window(
            &self.db,
            user_id,
            window.from,
            window.until,
            None,
            window.size,
        )
        .await?;
        if i64::try_from(rows.len()).unwrap_or(i64::MAX) > MAX_EXPORT {
            return Err(Error::invalid(
                "from",
                format!("the window holds more than {MAX_EXPORT} interviews: narrow it"),
            ));
        }
        let events: Vec<CalendarEvent> = rows.into_iter().map(event).collect();
        let count = i64::try_from(events.len()).unwrap_or(MAX_EXPORT);
        Ok((ics::render(&events, now()), count))
    }
}

/// A stored interview as a calendar event.
fn event(row: ScheduledRow) -> CalendarEvent {
    let ScheduledRow {
        interview,
        company,
        title,
    } = row;
    let kind = i32::try_from(interview.kind)
        .ok()
        .and_then(|n| InterviewKind::try_from(n).ok())
        .unwrap_or(InterviewKind::Other);
    CalendarEvent {
        summary: ics::summary(&company, &title, interview.round, kind),
        id: interview.id,
        start: interview.scheduled_at,
        minutes: interview.duration_minutes,
        time_zone: interview.time_zone,
        location: interview.location,
        url: interview.meeting_url,
        notes: interview.prep_notes,
        cancelled: interview.outcome == i64::from(InterviewOutcome::Cancelled as i32),
        update_time: interview.update_time,
    }
}

/// Trims a page fetched one row long and makes the next page's token from
/// its last interview's `(scheduled_at, id)`.
fn finish<T>(
    mut rows: Vec<T>,
    size: i64,
    interview: impl Fn(&T) -> &InterviewRow,
) -> (Vec<T>, String) {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    if rows.len() <= size {
        return (rows, String::new());
    }
    rows.truncate(size);
    let token = rows
        .last()
        .map(|row| {
            let row = interview(row);
            EventPage::token(row.scheduled_at, &row.id)
        })
        .unwrap_or_default();
    (rows, token)
}

/// Pairs each row with its interviewers, read in one query.
async fn with_interviewers<T>(
    tx: &mut Tx,
    user_id: &str,
    rows: Vec<T>,
    interview: impl Fn(&T) -> &InterviewRow,
) -> Result<Vec<WithInterviewers<T>>> {
    let ids: Vec<&str> = rows.iter().map(|row| interview(row).id.as_str()).collect();
    let links = interviews::interviewers(&mut **tx, user_id, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = &interview(&row).id;
            let contacts = links
                .iter()
                .filter(|(interview_id, _)| interview_id == id)
                .map(|(_, contact)| contact.clone())
                .collect();
            (row, contacts)
        })
        .collect())
}
