//! `/staff/schedule`: the Schedule view. The next 8 weeks of each team in the team's zone,
//! closed and reduced days marked with their names; the changes staff made, each with
//! Remove; and a form to add a closure, reduced hours or a notice, whose Preview shows what
//! a customer will see that day before anything is saved. Plain HTML forms, no script: it
//! works by keyboard and under the page's strict CSP.

use super::{check, internal, local, page, signed_in};
use crate::serve::auth::PageStaff;
use crate::serve::error::AppError;
use crate::serve::schedule_api::{read_change, remove_change, store_change};
use crate::serve::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Days, NaiveDate};
use replyby_core::changes::Change;
use replyby_core::{ConfigError, Schedule, Team};
use serde::Deserialize;

/// How many weeks the view shows.
const WEEKS: u64 = 8;

struct Day {
    label: String,
    iso: String,
    /// `closed`, `reduced`, `open` or `off` (no hours that weekday).
    kind: &'static str,
    text: String,
}

struct TeamView {
    id: String,
    name: String,
    zone: String,
    weeks: Vec<Vec<Day>>,
}

struct ChangeRow {
    id: String,
    text: String,
}

/// The form as typed: kept across Preview and problems, so nothing typed is lost.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct ChangeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    team: String,
    /// `closure`, `reduced` or `notice`.
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    announce_from: String,
}

#[derive(Template)]
#[template(path = "staff_schedule.html")]
struct SchedulePage<'a> {
    company: &'a str,
    who: String,
    csrf: String,
    teams: Vec<TeamView>,
    changes: Vec<ChangeRow>,
    team_choices: Vec<(String, String)>,
    form: ChangeForm,
    problems: Vec<String>,
    preview: Vec<String>,
    saved: Option<String>,
}

fn weekday(d: NaiveDate) -> &'static str {
    ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        [d.weekday().num_days_from_monday() as usize]
}

fn long_date(d: NaiveDate) -> String {
    format!("{} {}", weekday(d), d.format("%-d %B %Y"))
}

fn day_of(team: &Team, d: NaiveDate) -> Day {
    let label = format!("{} {}", &weekday(d)[..3], d.format("%-d %b"));
    let iso = d.to_string();
    let list =
        |ivs: &[replyby_core::hours::Interval]| ivs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    match team.holidays.on(d) {
        Some(h) => match &h.rule.hours {
            None => Day { label, iso, kind: "closed", text: format!("Closed: {}", h.rule.name) },
            Some(hours) => Day { label, iso, kind: "reduced", text: format!("{} ({})", list(hours), h.rule.name) },
        },
        None => {
            let hours = team.hours_on(d.weekday());
            if hours.is_empty() {
                Day { label, iso, kind: "off", text: "No hours".into() }
            } else {
                Day { label, iso, kind: "open", text: list(hours) }
            }
        }
    }
}

fn team_today(team: &Team, now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    replyby_core::zone::to_local(team.zone.as_ref(), now.timestamp()).date()
}

fn teams(schedule: &Schedule, now: chrono::DateTime<chrono::Utc>) -> Vec<TeamView> {
    schedule
        .teams
        .iter()
        .zip(&schedule.config.teams)
        .map(|(team, config)| {
            let today = team_today(team, now);
            let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
            let weeks =
                (0..WEEKS).map(|w| (0..7).map(|d| day_of(team, monday + Days::new(w * 7 + d))).collect()).collect();
            TeamView { id: team.id.clone(), name: team.name.clone(), zone: config.timezone.clone(), weeks }
        })
        .collect()
}

/// The change the form describes, as the API's JSON.
fn change_json(f: &ChangeForm) -> String {
    let mut o = serde_json::Map::new();
    o.insert("team".into(), f.team.trim().into());
    o.insert("name".into(), f.name.trim().into());
    let (from, to) = (f.from.trim(), f.to.trim());
    if to.is_empty() || to == from {
        if !from.is_empty() {
            o.insert("date".into(), from.into());
        }
    } else {
        o.insert("from".into(), from.into());
        o.insert("to".into(), to.into());
    }
    match f.kind.as_str() {
        "reduced" => {
            let hours: Vec<serde_json::Value> =
                f.hours.split(',').map(str::trim).filter(|h| !h.is_empty()).map(Into::into).collect();
            o.insert("hours".into(), hours.into());
        }
        "notice" => {
            o.insert("closed".into(), false.into());
        }
        _ => {}
    }
    if !f.note.trim().is_empty() {
        o.insert("note".into(), f.note.trim().into());
    }
    if !f.announce_from.trim().is_empty() {
        o.insert("announce_from".into(), f.announce_from.trim().into());
    }
    serde_json::Value::Object(o).to_string()
}

/// Problems in the form's words: `/hours/0` is the "Hours" field, and so on.
fn field_problems(problems: &[ConfigError]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            let field = match p.path.split('/').nth(1).unwrap_or("") {
                "team" => "Team",
                "name" => "Name",
                "date" | "from" => "First day",
                "to" => "Last day",
                "hours" => "Hours",
                "note" => "Note for customers",
                "announce_from" => "Show the note from",
                _ => "The change",
            };
            format!("{field}: {}", p.message)
        })
        .collect()
}

/// What a customer sees on the change's first day, in plain English for staff (the widget
/// says the same in the customer's language and zone).
fn preview_lines(schedule: &Schedule, change: &Change) -> Vec<String> {
    let Some((first, _)) = change.span() else { return Vec::new() };
    let Some(ti) = schedule.teams.iter().position(|t| t.id == change.team) else { return Vec::new() };
    let team = &schedule.teams[ti];
    let mut out = Vec::new();
    if !change.closed {
        out.push(format!("From {}: “{}”", change_announce(change, first), change.note.clone().unwrap_or_default()));
    } else {
        let what = match &change.hours {
            None => format!("Closed {}", long_date(first)),
            Some(h) => format!("Open {} on {}", h.join(", "), long_date(first)),
        };
        match &change.note {
            Some(n) => out.push(format!("{what} — {n} (shown from {})", change_announce(change, first))),
            None => out.push(format!("{what} — {} (no note: customers see the name)", change.name)),
        }
    }
    // At noon that day, in the team's zone: status and a quote for each plan that includes the team.
    let noon = first.and_hms_opt(12, 0, 0).map(|t| team.zone.resolve(replyby_core::zone::local_seconds(t)));
    let Some(noon) = noon.and_then(|t| chrono::DateTime::from_timestamp(t, 0)) else { return out };
    let tz: chrono_tz::Tz = schedule.config.teams[ti].timezone.parse().unwrap_or(chrono_tz::UTC);
    let when = |t: chrono::DateTime<chrono::Utc>| local(t.timestamp(), tz);
    for plan in &schedule.plans {
        let coverage = &schedule.coverages[plan.coverage];
        if !coverage.teams.contains(&ti) {
            continue;
        }
        if let Ok(q) = schedule.quote(&plan.id, noon) {
            let release = if q.release_at > noon {
                format!("reaches the team {}", when(q.release_at))
            } else {
                "reaches the team at once".into()
            };
            out.push(format!(
                "A {} request sent at {}: {release}, answered by {}",
                plan.name,
                when(noon),
                when(q.respond_by)
            ));
        }
    }
    out
}

fn change_announce(change: &Change, first: NaiveDate) -> String {
    change
        .announce_from
        .as_deref()
        .and_then(replyby_core::text::parse_date)
        .unwrap_or_else(|| first - Days::new(replyby_core::holidays::ANNOUNCE_DAYS))
        .to_string()
}

fn describe(c: &Change, by: &str, team: &str) -> String {
    let dates = match (&c.date, &c.from, &c.to) {
        (Some(d), _, _) => d.clone(),
        (None, Some(a), Some(b)) => format!("{a} to {b}"),
        _ => String::new(),
    };
    let kind = match (c.closed, &c.hours) {
        (false, _) => "notice".to_owned(),
        (true, None) => "closed".to_owned(),
        (true, Some(h)) => format!("open {}", h.join(", ")),
    };
    let note = c.note.as_ref().map(|n| format!(" — “{n}”")).unwrap_or_default();
    format!("{team}: {} ({kind}), {dates}{note} · by {by}", c.name)
}

async fn render(
    s: &AppState,
    session: &PageStaff,
    form: ChangeForm,
    problems: Vec<String>,
    preview: Vec<String>,
    saved: Option<String>,
) -> Result<Response, AppError> {
    let live = s.live.get();
    let schedule = &live.schedule;
    let name_of = |id: &str| schedule.teams.iter().find(|t| t.id == id).map_or(id.to_owned(), |t| t.name.clone());
    let html = SchedulePage {
        company: &schedule.config.company,
        who: signed_in(&session.staff),
        csrf: session.csrf.clone(),
        teams: teams(schedule, s.now()),
        changes: live
            .changes
            .iter()
            .rev()
            .map(|(st, c)| ChangeRow { id: st.id.clone(), text: describe(c, &st.created_by, &name_of(&c.team)) })
            .collect(),
        team_choices: schedule.teams.iter().map(|t| (t.id.clone(), t.name.clone())).collect(),
        form: ChangeForm { csrf: String::new(), ..form },
        problems,
        preview,
        saved,
    }
    .render()
    .map_err(internal)?;
    Ok(page(html))
}

/// `GET /staff/schedule`.
pub async fn show(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let Some(session) = crate::serve::auth::session(&s, &headers).await else {
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/staff")]).into_response());
    };
    let form = ChangeForm { kind: "closure".into(), ..ChangeForm::default() };
    render(&s, &session, form, Vec::new(), Vec::new(), None).await
}

/// `POST /staff/schedule/preview`: what a customer will see, nothing saved.
pub async fn preview(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let session = check(&s, &headers, &f.csrf).await?;
    match read_change(&s, &change_json(&f)) {
        Ok((change, schedule)) => {
            let lines = preview_lines(&schedule, &change);
            render(&s, &session, f, Vec::new(), lines, None).await
        }
        Err(p) => with_problems(&s, &session, f, &p).await,
    }
}

async fn with_problems(
    s: &AppState,
    session: &PageStaff,
    f: ChangeForm,
    p: &[ConfigError],
) -> Result<Response, AppError> {
    let mut r = render(s, session, f, field_problems(p), Vec::new(), None).await?;
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

/// `POST /staff/schedule`: saves the change.
pub async fn save(
    State(s): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<ChangeForm>,
) -> Result<Response, AppError> {
    let session = check(&s, &headers, &f.csrf).await?;
    match read_change(&s, &change_json(&f)) {
        Ok((change, schedule)) => {
            let (_, affected) = store_change(&s, &session.staff, change.clone(), &schedule).await?;
            let mut saved = format!("Saved: {}.", change.name);
            if affected > 0 {
                saved.push_str(&format!(
                    " {affected} request{} already in the queue will still be released at the time {} promised.",
                    if affected == 1 { "" } else { "s" },
                    if affected == 1 { "it was" } else { "they were" }
                ));
            }
            let form = ChangeForm { kind: "closure".into(), team: f.team, ..ChangeForm::default() };
            render(&s, &session, form, Vec::new(), Vec::new(), Some(saved)).await
        }
        Err(p) => with_problems(&s, &session, f, &p).await,
    }
}

#[derive(Deserialize)]
pub struct RemoveForm {
    csrf: String,
}

/// `POST /staff/schedule/{id}/remove`.
pub async fn remove(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<RemoveForm>,
) -> Result<Response, AppError> {
    let session = check(&s, &headers, &f.csrf).await?;
    if !remove_change(&s, &session.staff, &id).await? {
        return Err(AppError::NotFound(format!("no schedule change has id \"{id}\"")));
    }
    Ok((StatusCode::SEE_OTHER, [(header::LOCATION, "/staff/schedule")]).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_api_s_change() {
        let f = ChangeForm {
            team: "nyc".into(),
            kind: "reduced".into(),
            name: "Holiday rush".into(),
            from: "2027-12-24".into(),
            hours: "10:00-12:00, 13:00-14:00".into(),
            ..ChangeForm::default()
        };
        let v: serde_json::Value = serde_json::from_str(&change_json(&f)).expect("json");
        assert_eq!(
            v,
            serde_json::json!({"team":"nyc","name":"Holiday rush","date":"2027-12-24","hours":["10:00-12:00","13:00-14:00"]})
        );
        let notice = ChangeForm { kind: "notice".into(), to: "2027-03-12".into(), from: "2027-03-08".into(), ..f };
        let v: serde_json::Value = serde_json::from_str(&change_json(&notice)).expect("json");
        assert_eq!(
            (v["closed"].as_bool(), v["from"].as_str(), v.get("hours")),
            (Some(false), Some("2027-03-08"), None)
        );
    }
}
