//! What a mounted widget knows: the validated schedule, the visitor's zone and locale.

use crate::format::Fmt;
use crate::intl_zone::{IntlDb, IntlZone, browser_locale, browser_zone};
use replyby_core::{Schedule, Zone};
use std::rc::Rc;
use std::sync::Arc;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The three views of DESIGN.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// One line.
    Badge,
    /// The customer's view.
    Panel,
    /// Marketing's plan table.
    Compare,
}

/// Options of one widget, from the script tag's data attributes or `ReplyBy.mount`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Options {
    /// A URL, or inline JSON when it starts with `{`.
    pub config: String,
    /// `badge`, `panel` or `compare` (default `panel`).
    pub view: Option<String>,
    /// Plan id for badge and panel.
    pub plan: Option<String>,
    /// IANA zone overriding the browser's.
    pub time_zone: Option<String>,
    /// BCP 47 locale for dates and times (`embed.js` passes the one it negotiated; without
    /// a catalog only an English locale is kept).
    pub locale: Option<String>,
    /// The language of `catalog` (`de`, `zh-Hant`), as `embed.js` negotiated it.
    pub lang: Option<String>,
    /// That language's sentences: the text of `i18n/<lang>.json`. Without it, English.
    pub catalog: Option<String>,
    /// Freezes the widget at this instant (`data-now`): for screenshots, demos and tests.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// The config's text, when `embed.js` has already fetched it from `config` (in parallel
    /// with the wasm).
    pub config_text: Option<String>,
    /// The holiday presets the config names, `(id, presets/<id>.json text)`, fetched by
    /// `embed.js` from beside itself: the wasm carries no preset data.
    pub presets: Vec<(String, String)>,
}

/// Everything a view renders from.
#[derive(Debug)]
pub struct Model {
    /// The validated config.
    pub schedule: Schedule,
    /// The visitor's language: sentences and formatting.
    pub fmt: Rc<Fmt>,
    /// The visitor's zone.
    pub visitor: Arc<dyn Zone>,
    /// Which view.
    pub view: View,
    /// The plan (index) badge and panel speak about.
    pub plan: usize,
    /// Where the request form posts (the config's `queue.endpoint`, resolved against the
    /// config's origin).
    pub endpoint: String,
}

impl Model {
    /// The zone a coverage's times are shown in beside the visitor's: its first team's, or
    /// the visitor's own for an `always` coverage.
    pub fn home_zone(&self, coverage: &replyby_core::Coverage) -> Arc<dyn Zone> {
        coverage.teams.first().map_or_else(|| self.visitor.clone(), |&t| self.schedule.teams[t].zone.clone())
    }

    /// A holiday of the team with id `team`, named as the visitor reads it (see
    /// [`crate::i18n::holiday_name`]), with "(estimated date)" after it when its date is an
    /// estimate (lunar calendars).
    pub fn holiday(&self, team: &str, name: &str, estimated: bool) -> String {
        let team = self.schedule.teams.iter().find(|t| t.id == team);
        let name = crate::i18n::holiday_name(team, name, &self.fmt.text.lang);
        if estimated { format!("{name} {}", self.fmt.t("estimated")) } else { name.to_owned() }
    }

    /// A holiday of `coverage`'s home team (the one a status or a quote speaks of).
    pub fn home_holiday(&self, coverage: &replyby_core::Coverage, name: &str) -> String {
        let team = coverage.teams.first().map_or("", |&t| self.schedule.teams[t].id.as_str());
        self.holiday(team, name, false)
    }
}

impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// What a rejected promise said: an Error's message, or the thrown string.
fn js_error(e: &wasm_bindgen::JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".to_owned())
}

async fn fetch_text(url: &str) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("cannot load the config from {url}: {}", js_error(&e)))?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "fetch did not return a Response".to_owned())?;
    if !response.ok() {
        return Err(format!("cannot load the config from {url}: HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|e| js_error(&e))?).await.map_err(|e| js_error(&e))?;
    text.as_string().ok_or_else(|| "the config response is not text".to_owned())
}

/// The visitor's language from the options, and the console line when its catalog is broken.
pub fn language(options: &Options) -> (Fmt, Option<String>) {
    let locale = options.locale.clone().unwrap_or_else(browser_locale);
    Fmt::new(&locale, options.lang.as_deref(), options.catalog.as_deref())
}

/// Loads and validates everything; the error is the list of lines for the console.
pub async fn build(options: &Options, fmt: Rc<Fmt>) -> Result<Model, Vec<String>> {
    let view = match options.view.as_deref().unwrap_or("panel") {
        "badge" => View::Badge,
        "panel" => View::Panel,
        "compare" => View::Compare,
        other => return Err(vec![format!("unknown data-view \"{other}\" (use badge, panel or compare)")]),
    };
    let trimmed = options.config.trim();
    let (source, text) = if trimmed.starts_with('{') {
        ("inline config".to_owned(), trimmed.to_owned())
    } else if trimmed.is_empty() {
        return Err(vec!["no config: set data-config to a URL or to inline JSON".to_owned()]);
    } else if let Some(text) = &options.config_text {
        (trimmed.to_owned(), text.clone())
    } else {
        (trimmed.to_owned(), fetch_text(trimmed).await.map_err(|e| vec![e])?)
    };
    let lines =
        |errors: replyby_core::ConfigErrors| errors.iter().map(|e| format!("{source}: {e}")).collect::<Vec<_>>();
    let config = replyby_core::parse(&text).map_err(lines)?;
    // Parsing and validating are separate main-thread tasks (no long task on the host page).
    crate::yield_now().await;
    let presets: Vec<(&str, &str)> = options.presets.iter().map(|(id, doc)| (id.as_str(), doc.as_str())).collect();
    let schedule = Schedule::with_presets(config, &IntlDb, &presets).map_err(lines)?;
    let zone_name = options.time_zone.clone().unwrap_or_else(browser_zone);
    let visitor: Arc<dyn Zone> = match IntlZone::new(&zone_name) {
        Some(z) => Arc::new(z),
        None => return Err(vec![format!("unknown time zone \"{zone_name}\" in data-time-zone")]),
    };
    let plan = match &options.plan {
        Some(id) => schedule.plan_index(id).ok_or_else(|| {
            let known: Vec<&str> = schedule.plans.iter().map(|p| p.id.as_str()).collect();
            vec![format!("{source}: unknown plan \"{id}\" in data-plan (plans: {})", known.join(", "))]
        })?,
        None if schedule.plans.is_empty() => return Err(vec![format!("{source}: the config has no plans to show")]),
        None => 0,
    };
    let endpoint =
        resolve_endpoint(schedule.config.queue.as_ref().map_or("/v1/requests", |q| q.endpoint.as_str()), &source);
    Ok(Model { schedule, fmt, visitor, view, plan, endpoint })
}

/// `/v1/requests` on the config's origin when the config came from an absolute URL;
/// otherwise relative to the page.
pub fn resolve_endpoint(endpoint: &str, config_source: &str) -> String {
    if endpoint.starts_with("http://") || endpoint.starts_with("https://") || !endpoint.starts_with('/') {
        return endpoint.to_owned();
    }
    match config_source.split_once("://") {
        Some((scheme, rest)) if scheme == "http" || scheme == "https" => {
            let host = rest.split('/').next().unwrap_or(rest);
            format!("{scheme}://{host}{endpoint}")
        }
        _ => endpoint.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::resolve_endpoint;

    #[test]
    fn endpoint_follows_the_config_origin() {
        assert_eq!(
            resolve_endpoint("/v1/requests", "https://s.example/replyby/config.json"),
            "https://s.example/v1/requests"
        );
        assert_eq!(resolve_endpoint("/v1/requests", "acme.json"), "/v1/requests");
        assert_eq!(resolve_endpoint("/v1/requests", "inline config"), "/v1/requests");
        assert_eq!(resolve_endpoint("https://q.example/in", "https://s.example/c.json"), "https://q.example/in");
    }
}
