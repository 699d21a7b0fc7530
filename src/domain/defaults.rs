//! Headers every endpoint of an integration inherits (`Content-Type: application/json`,
//! `Authorization: Bearer <<token>>`), typed once on the integration. When an integration is read,
//! each endpoint's headers start with the defaults it does not override (an endpoint's own header
//! of the same name, in any case, wins), so the checklist, curl, staging checks, revisions and
//! every export see the headers a request really carries. Only an endpoint's own headers are
//! stored on it.

use serde::{Deserialize, Serialize};

use super::model::{EndpointSpec, Header};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DefaultHeaders {
    pub headers: Vec<Header>,
}

impl EndpointSpec {
    /// Puts the defaults this endpoint does not override in front of its own headers.
    pub fn inherit(&mut self, defaults: &DefaultHeaders) {
        let own = self.own_headers().to_vec();
        let inherited: Vec<Header> = defaults
            .headers
            .iter()
            .filter(|d| !d.name.trim().is_empty())
            .filter(|d| !own.iter().any(|o| o.name.eq_ignore_ascii_case(&d.name)))
            .cloned()
            .collect();
        self.inherited_headers = inherited.len();
        self.headers = inherited.into_iter().chain(own).collect();
    }

    pub fn own_headers(&self) -> &[Header] {
        &self.headers[self.inherited_headers.min(self.headers.len())..]
    }

    pub fn inherited(&self) -> &[Header] {
        &self.headers[..self.inherited_headers.min(self.headers.len())]
    }

    /// What is stored for the endpoint: its own headers only.
    pub fn without_inherited(&self) -> EndpointSpec {
        let mut own = self.clone();
        own.headers = self.own_headers().to_vec();
        own.inherited_headers = 0;
        own
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, value: &str) -> Header {
        Header {
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn defaults_come_first_and_an_endpoint_header_of_the_same_name_wins() {
        let defaults = DefaultHeaders {
            headers: vec![
                header("Content-Type", "application/json"),
                header("Authorization", "Bearer <<token>>"),
            ],
        };
        let mut spec = EndpointSpec {
            headers: vec![header("authorization", "Basic <<credentials>>")],
            ..EndpointSpec::default()
        };
        spec.inherit(&defaults);
        assert_eq!(
            spec.headers,
            [
                header("Content-Type", "application/json"),
                header("authorization", "Basic <<credentials>>"),
            ]
        );
        assert_eq!(
            spec.inherited(),
            [header("Content-Type", "application/json")]
        );
        assert_eq!(
            spec.without_inherited().headers,
            [header("authorization", "Basic <<credentials>>")]
        );
        // Reading it again (a second load) does not inherit twice.
        spec.inherit(&defaults);
        assert_eq!(spec.headers.len(), 2);
        assert_eq!(
            serde_json::to_value(&spec).unwrap()["headers"]
                .as_array()
                .unwrap()
                .len(),
            2,
            "revisions and exports carry the headers a request really sends"
        );
    }
}
