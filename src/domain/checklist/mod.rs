//! Haptik's requirements checklist: the one definition of what is asked, how each item is checked,
//! when it applies, and how completeness is computed. Item ids follow REQUIREMENTS.md and stay stable.
//!
//! `assess` is the only function that computes completeness; pages, submission and the dashboard
//! all call it.
//!
//! `items` is what is asked (one entry per item), `checks` how each is judged against what the
//! partner entered, this module how the results add up.

mod checks;
mod item_id;
mod items;

use std::collections::HashMap;

use uuid::Uuid;

pub use item_id::{EndpointItem, IntegrationItem, ItemId};
pub use items::{ENDPOINT_ITEMS, INTEGRATION_ITEMS, all_items, item};

use crate::domain::model::{EndpointSpec, NotApplicable, Sections};
use checks::{check_endpoint, check_integration};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Integration,
    Endpoint,
}

/// How strongly an item is asked for; admins can change it per item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    Required,
    Optional,
    Off,
}

impl Requirement {
    pub const ALL: [Requirement; 3] = [
        Requirement::Required,
        Requirement::Optional,
        Requirement::Off,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Requirement::Required => "required",
            Requirement::Optional => "optional",
            Requirement::Off => "off",
        }
    }

    pub fn parse(text: &str) -> Option<Requirement> {
        Requirement::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

#[derive(Debug)]
pub struct Item {
    pub id: ItemId,
    pub scope: Scope,
    pub label: &'static str,
    /// What the partner is asked for, shown beside the item.
    pub asks: &'static str,
    pub default: Requirement,
    /// The form field a "missing" link jumps to.
    pub anchor: &'static str,
}

/// The admin's choices; items without one keep their default.
#[derive(Debug, Clone, Default)]
pub struct Settings(pub HashMap<String, Requirement>);

impl Settings {
    pub fn requirement(&self, item: &Item) -> Requirement {
        self.0
            .get(item.id.as_str())
            .copied()
            .unwrap_or(item.default)
    }

    pub async fn load<'e>(db: impl sqlx::PgExecutor<'e>) -> sqlx::Result<Settings> {
        let rows = sqlx::query!("SELECT item, requirement FROM checklist_settings")
            .fetch_all(db)
            .await?;
        Ok(Settings(
            rows.into_iter()
                .filter_map(|row| Requirement::parse(&row.requirement).map(|r| (row.item, r)))
                .collect(),
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Done,
    /// What exactly is missing, in the partner's terms.
    Missing(String),
    /// The partner says it does not apply, and why.
    NotApplicable(String),
    /// It cannot apply here (a GET has no request body).
    DoesNotApply(&'static str),
}

#[derive(Debug, Clone)]
pub struct ItemResult {
    pub item: &'static Item,
    pub requirement: Requirement,
    pub state: State,
}

impl ItemResult {
    /// Counted in "n of m": asked for, applicable, and not explained away.
    pub fn counts(&self) -> bool {
        self.requirement == Requirement::Required
            && matches!(self.state, State::Done | State::Missing(_))
    }

    pub fn blocks(&self) -> bool {
        self.requirement == Requirement::Required && matches!(self.state, State::Missing(_))
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    pub fn missing(&self) -> Option<&str> {
        match &self.state {
            State::Missing(what) => Some(what),
            _ => None,
        }
    }

    pub fn not_applicable_reason(&self) -> Option<&str> {
        match &self.state {
            State::NotApplicable(why) => Some(why),
            _ => None,
        }
    }

    pub fn does_not_apply(&self) -> Option<&str> {
        match &self.state {
            State::DoesNotApply(why) => Some(why),
            _ => None,
        }
    }

    pub fn is_optional(&self) -> bool {
        self.requirement == Requirement::Optional
    }

    pub fn is_off(&self) -> bool {
        self.requirement == Requirement::Off
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
}

impl Progress {
    fn of(results: &[ItemResult]) -> Progress {
        let counted = results.iter().filter(|r| r.counts());
        let (done, total) = counted.fold((0, 0), |(d, t), r| (d + usize::from(r.is_done()), t + 1));
        Progress { done, total }
    }

    pub fn percent(&self) -> usize {
        (self.done * 100).checked_div(self.total).unwrap_or(100)
    }

    pub fn complete(&self) -> bool {
        self.done == self.total
    }
}

#[derive(Debug, Clone)]
pub struct EndpointAssessment {
    pub endpoint_id: Uuid,
    pub title: String,
    pub items: Vec<ItemResult>,
    pub progress: Progress,
}

impl EndpointAssessment {
    pub fn missing(&self) -> impl Iterator<Item = &ItemResult> {
        self.items.iter().filter(|r| r.blocks())
    }
}

#[derive(Debug, Clone)]
pub struct Assessment {
    pub items: Vec<ItemResult>,
    pub endpoints: Vec<EndpointAssessment>,
    /// Integration-level items and every endpoint's items together.
    pub progress: Progress,
}

impl Assessment {
    /// What stands between the integration and "Submit for review", in order.
    pub fn blockers(&self) -> Vec<String> {
        let mut blockers = Vec::new();
        if self.endpoints.is_empty() {
            blockers.push("Add at least one endpoint.".to_string());
        }
        for result in self.items.iter().filter(|r| r.blocks()) {
            blockers.push(format!(
                "{}: {}",
                result.item.label,
                result.missing().unwrap_or_default()
            ));
        }
        for endpoint in &self.endpoints {
            for result in endpoint.missing() {
                blockers.push(format!(
                    "{} · {}: {}",
                    endpoint.title,
                    result.item.label,
                    result.missing().unwrap_or_default()
                ));
            }
        }
        blockers
    }

    pub fn ready(&self) -> bool {
        self.blockers().is_empty()
    }

    pub fn endpoint(&self, id: Uuid) -> Option<&EndpointAssessment> {
        self.endpoints.iter().find(|e| e.endpoint_id == id)
    }
}

pub fn assess(
    sections: &Sections,
    endpoints: &[(Uuid, &EndpointSpec)],
    settings: &Settings,
) -> Assessment {
    let items: Vec<ItemResult> = INTEGRATION_ITEMS
        .iter()
        .map(|item| {
            judge(item, settings, &sections.not_applicable, || match item.id {
                ItemId::Integration(id) => check_integration(id, sections, endpoints),
                ItemId::Endpoint(_) => State::DoesNotApply("an endpoint's item"),
            })
        })
        .collect();
    let endpoint_results: Vec<EndpointAssessment> = endpoints
        .iter()
        .map(|(id, spec)| {
            let items: Vec<ItemResult> = ENDPOINT_ITEMS
                .iter()
                .map(|item| {
                    judge(item, settings, &spec.not_applicable, || match item.id {
                        ItemId::Endpoint(id) => check_endpoint(id, spec),
                        ItemId::Integration(_) => State::DoesNotApply("an integration's item"),
                    })
                })
                .collect();
            EndpointAssessment {
                endpoint_id: *id,
                title: spec.title(),
                progress: Progress::of(&items),
                items,
            }
        })
        .collect();
    let mut all: Vec<ItemResult> = items.clone();
    all.extend(
        endpoint_results
            .iter()
            .flat_map(|e| e.items.iter().cloned()),
    );
    Assessment {
        progress: Progress::of(&all),
        items,
        endpoints: endpoint_results,
    }
}

fn judge(
    item: &'static Item,
    settings: &Settings,
    marks: &NotApplicable,
    check: impl FnOnce() -> State,
) -> ItemResult {
    let requirement = settings.requirement(item);
    let state = match check() {
        State::DoesNotApply(why) => State::DoesNotApply(why),
        checked => match marks.reason(item.id.as_str()) {
            Some(reason) if checked != State::Done => State::NotApplicable(reason.to_string()),
            _ => checked,
        },
    };
    ItemResult {
        item,
        requirement,
        state,
    }
}

fn filled(text: &str) -> bool {
    !text.trim().is_empty()
}

fn missing(what: impl Into<String>) -> State {
    State::Missing(what.into())
}

#[cfg(test)]
mod tests;
