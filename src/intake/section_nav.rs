//! The section navigation of the integration and endpoint pages: each part's state from the
//! checklist (complete, how many items are missing) and its open reviewer comments.

use uuid::Uuid;

use crate::domain::checklist::{Assessment, EndpointAssessment, ItemResult};
use crate::domain::model::SectionId;
use crate::review::comments::Threads;
pub use crate::web::section_nav::{NavEntry, NavState, SectionNav, plural};

fn entry(label: &str, href: String, results: &[&ItemResult], open_comments: usize) -> NavEntry {
    NavEntry {
        label: label.to_string(),
        href,
        state: state_of(results.iter().copied()),
        open_comments,
        children: Vec::new(),
    }
}

fn state_of<'a>(results: impl Iterator<Item = &'a ItemResult>) -> NavState {
    let (mut missing, mut counted) = (0, 0);
    for result in results.filter(|r| r.counts()) {
        counted += 1;
        missing += usize::from(result.blocks());
    }
    match (counted, missing) {
        (0, _) => NavState::Nothing,
        (_, 0) => NavState::Complete,
        (_, n) => NavState::Missing(n),
    }
}

/// An endpoint in the integration's navigation and its own page's "back" list.
pub struct EndpointLink<'a> {
    pub id: Uuid,
    pub title: &'a str,
}

/// The integration page: its sections in page order, then the endpoints, each with its state.
pub fn for_integration(
    integration: Uuid,
    assessment: &Assessment,
    threads: &Threads,
    endpoints: &[EndpointLink],
) -> SectionNav {
    let mut entries = vec![NavEntry {
        label: "Overview".into(),
        href: "#section-overview".into(),
        state: NavState::Nothing,
        open_comments: threads.open_at(None, &[""]),
        children: Vec::new(),
    }];
    for section in SectionId::ALL {
        if section == SectionId::NotApplicable {
            continue;
        }
        let results: Vec<&ItemResult> = assessment
            .items
            .iter()
            .filter(|r| r.item.id.section() == Some(section))
            .collect();
        let items: Vec<&str> = results.iter().map(|r| r.item.id.as_str()).collect();
        entries.push(entry(
            section.title(),
            format!("#section-{}", section.as_str()),
            &results,
            threads.open_at(None, &items),
        ));
    }
    let endpoint_items: Vec<&ItemResult> = assessment
        .items
        .iter()
        .filter(|r| r.item.id.section().is_none())
        .collect();
    let mut list = entry(
        "Endpoints",
        "#endpoints".into(),
        &endpoint_items,
        threads.open_at(
            None,
            &endpoint_items
                .iter()
                .map(|r| r.item.id.as_str())
                .collect::<Vec<_>>(),
        ),
    );
    for link in endpoints {
        let results: Vec<&ItemResult> = assessment
            .endpoint(link.id)
            .map(|e: &EndpointAssessment| e.items.iter().collect())
            .unwrap_or_default();
        list.children.push(entry(
            link.title,
            format!("/integrations/{integration}/endpoints/{}", link.id),
            &results,
            threads.open_on_endpoint(link.id),
        ));
    }
    // The list is as complete as its endpoints: their gaps count here too.
    let gaps: usize = list
        .children
        .iter()
        .map(|c| match c.state {
            NavState::Missing(n) => n,
            _ => 0,
        })
        .sum();
    if gaps > 0 {
        let own = match list.state {
            NavState::Missing(n) => n,
            _ => 0,
        };
        list.state = NavState::Missing(own + gaps);
    }
    entries.push(list);
    SectionNav {
        summary: String::new(),
        entries,
    }
    .summarise(threads.open())
}

/// The endpoint page: its parts in page order, each with the items it answers.
pub fn for_endpoint(endpoint: Uuid, items: &[ItemResult], threads: &Threads) -> SectionNav {
    // (label, anchor, the endpoint items answered there)
    let parts: [(&str, &str, &[&str]); 7] = [
        ("What it is", "#what", &["name", "method", "url"]),
        ("Headers", "#headers", &["headers"]),
        ("Parameters", "#parameters", &["parameters"]),
        ("Request example", "#request", &["request-example"]),
        ("Success response", "#success", &["response-example"]),
        ("Error scenarios", "#errors", &["errors"]),
        ("Try it", "#generated", &[]),
    ];
    let mut entries: Vec<NavEntry> = parts
        .iter()
        .map(|(label, href, ids)| {
            let results: Vec<&ItemResult> = items
                .iter()
                .filter(|r| ids.contains(&r.item.id.as_str()))
                .collect();
            entry(
                label,
                (*href).to_string(),
                &results,
                threads.open_at(Some(endpoint), ids),
            )
        })
        .collect();
    entries[0].open_comments += threads.open_at(Some(endpoint), &[""]);
    let open = threads.open_on_endpoint(endpoint);
    SectionNav {
        summary: String::new(),
        entries,
    }
    .summarise(open)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::checklist::{self, Settings};
    use crate::domain::model::{EndpointSpec, Sections};

    #[test]
    fn each_part_says_what_is_missing_and_the_endpoint_list_counts_its_endpoints() {
        let endpoint = Uuid::new_v4();
        let spec = EndpointSpec {
            name: "Pay".into(),
            ..EndpointSpec::default()
        };
        let assessment = checklist::assess(
            &Sections::default(),
            &[(endpoint, &spec)],
            &Settings::default(),
        );
        let integration = Uuid::new_v4();
        let nav = for_integration(
            integration,
            &assessment,
            &Threads::default(),
            &[EndpointLink {
                id: endpoint,
                title: "Pay",
            }],
        );
        let labels: Vec<&str> = nav.entries.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels.first(), Some(&"Overview"));
        assert_eq!(labels.last(), Some(&"Endpoints"));
        assert!(labels.contains(&"Headers on every endpoint"));
        assert!(!labels.contains(&"Items marked not applicable"));
        let list = nav.entries.last().unwrap();
        let NavState::Missing(child) = list.children[0].state else {
            panic!("the empty endpoint misses items: {:?}", list.children[0]);
        };
        assert!(matches!(list.state, NavState::Missing(n) if n >= child));
        assert_eq!(
            list.children[0].href,
            format!("/integrations/{integration}/endpoints/{endpoint}")
        );
        assert!(nav.summary.ends_with("missing"), "{}", nav.summary);
        let total: usize = assessment.items.iter().filter(|r| r.blocks()).count()
            + assessment.endpoints[0].missing().count();
        assert_eq!(nav.missing(), total, "the summary counts each gap once");
    }
}
