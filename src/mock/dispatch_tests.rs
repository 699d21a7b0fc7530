use proptest::prelude::*;
use uuid::Uuid;

use super::*;
use crate::domain::model::{ErrorScenario, HttpMethod, Parameter, Sections};
use crate::domain::revision::SnapshotEndpoint;

fn param(name: &str, location: Location, kind: ParamType, required: bool) -> Parameter {
    Parameter {
        name: name.into(),
        location,
        kind,
        required,
        description: String::new(),
        example: String::new(),
    }
}

fn error(status: &str, code: &str, example: &str) -> ErrorScenario {
    ErrorScenario {
        http_status: status.into(),
        partner_code: code.into(),
        description: String::new(),
        example: example.into(),
    }
}

fn endpoint(method: HttpMethod, path: &str) -> EndpointSpec {
    EndpointSpec {
        name: path.into(),
        method: Some(method),
        path: path.into(),
        success_status: "200".into(),
        ..EndpointSpec::default()
    }
}

fn sample() -> MockSet {
    let mut otp = endpoint(HttpMethod::Post, "/otp/v1/generateOTP");
    otp.parameters = vec![
        param("mobileNo", Location::Body, ParamType::String, true),
        param("Attempt id", Location::Body, ParamType::String, false),
    ];
    otp.success_example = r#"{ status:"success", status_code:"SUCC001" }"#.into();
    otp.errors = vec![
        error(
            "400",
            "ERR002",
            r#"{"status": "error", "status_code": "ERR002"}"#,
        ),
        error(
            "500",
            "ERR001",
            r#"{"status": "error", "status_code": "ERR001"}"#,
        ),
    ];
    let mut order = endpoint(HttpMethod::Get, "/orders/{orderId}");
    order.parameters = vec![
        param("orderId", Location::Path, ParamType::Integer, true),
        param("expand", Location::Query, ParamType::Boolean, false),
    ];
    order.success_example = r#"{"id": 1}"#.into();
    let mut search = endpoint(HttpMethod::Get, "/orders/search");
    search.success_example = r#"{"results": []}"#.into();
    let mut delete = endpoint(HttpMethod::Delete, "/orders/{orderId}");
    delete.success_status = "204".into();
    let mut sections = Sections::default();
    sections.test_data.items = vec![TestDatum {
        label: "Invalid mobile number".into(),
        value: "0000000000".into(),
        note: "returns ERR002".into(),
    }];
    mock_of(sections, vec![otp, order, search, delete])
}

fn mock_of(sections: Sections, specs: Vec<EndpointSpec>) -> MockSet {
    MockSet::build(&Snapshot {
        integration_id: Uuid::nil(),
        company: "XYZ".into(),
        name: "OTP".into(),
        purpose: String::new(),
        sections,
        endpoints: specs
            .into_iter()
            .map(|spec| SnapshotEndpoint {
                id: Uuid::new_v4(),
                spec,
            })
            .collect(),
    })
}

fn call(
    set: &MockSet,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> MockAnswer {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
        .collect();
    set.answer(&MockRequest {
        method,
        path,
        query,
        headers: &headers,
        body: body.as_bytes(),
    })
}

#[test]
fn the_success_example_answers_a_valid_request_as_strict_json() {
    let set = sample();
    let answer = call(
        &set,
        "POST",
        "/otp/v1/generateOTP",
        &[],
        r#"{"mobileNo": "9928056506"}"#,
    );
    assert_eq!(answer.status, 200);
    assert_eq!(answer.scenario, "success");
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        answer.body,
        r#"{"status":"success","status_code":"SUCC001"}"#
    );
}

#[test]
fn path_templates_match_with_literal_paths_first() {
    let set = sample();
    assert_eq!(
        call(&set, "GET", "/orders/123", &[], "").body,
        r#"{"id":1}"#
    );
    assert_eq!(
        call(&set, "GET", "/orders/search", &[], "").body,
        r#"{"results":[]}"#
    );
    let gone = call(&set, "DELETE", "/orders/123", &[], "");
    assert_eq!(
        (gone.status, gone.body.as_str(), gone.content_type),
        (204, "", None)
    );
}

#[test]
fn prefer_picks_a_scenario_by_status_or_partner_code() {
    let set = sample();
    let by_code = call(
        &set,
        "POST",
        "/otp/v1/generateOTP",
        &[("Prefer", "code=500")],
        "",
    );
    assert_eq!((by_code.status, by_code.scenario.as_str()), (500, "ERR001"));
    let by_name = call(
        &set,
        "POST",
        "/otp/v1/generateOTP",
        &[("Prefer", "example=err002")],
        "",
    );
    assert_eq!((by_name.status, by_name.scenario.as_str()), (400, "ERR002"));
    let unknown = call(
        &set,
        "POST",
        "/otp/v1/generateOTP",
        &[("Prefer", "code=418")],
        "",
    );
    assert_eq!(unknown.status, 400);
    assert!(unknown.body.contains("400 ERR002"), "{}", unknown.body);
}

#[test]
fn a_test_data_value_marked_for_a_scenario_picks_it() {
    let set = sample();
    let answer = call(
        &set,
        "POST",
        "/otp/v1/generateOTP",
        &[],
        r#"{"mobileNo": "0000000000"}"#,
    );
    assert_eq!((answer.status, answer.scenario.as_str()), (400, "ERR002"));
    assert_eq!(
        set.triggers(),
        vec![("0000000000".to_string(), "ERR002".to_string())]
    );
}

#[test]
fn missing_and_mistyped_parameters_are_named() {
    let set = sample();
    let missing = call(
        &set,
        "POST",
        "/otp/v1/generateOTP",
        &[],
        r#"{"Attempt id": 1}"#,
    );
    assert_eq!(missing.status, 422);
    assert!(missing.body.contains("mobileNo") && missing.body.contains("missing"));
    assert!(missing.body.contains("Attempt id") && missing.body.contains("should be string"));
    let typed = call(&set, "GET", "/orders/abc?expand=maybe", &[], "");
    assert_eq!(typed.status, 422);
    assert!(
        typed.body.contains("orderId") && typed.body.contains("expand"),
        "{}",
        typed.body
    );
}

#[test]
fn a_wrong_method_is_405_and_an_unknown_path_404_with_the_closest() {
    let set = sample();
    let wrong = call(&set, "PUT", "/orders/1", &[], "");
    assert_eq!(wrong.status, 405);
    assert_eq!(wrong.allow.as_deref(), Some("DELETE, GET"));
    let unknown = call(&set, "POST", "/otp/v1/generateOTPs", &[], "");
    assert_eq!(unknown.status, 404);
    let body: Value = serde_json::from_str(&unknown.body).unwrap();
    assert_eq!(body["closest"][0], "POST /otp/v1/generateOTP");
}

proptest! {
    /// Whatever arrives, the mock answers with a status it documents or explains, and never panics.
    #[test]
    fn any_request_gets_an_answer(
        method in "[A-Z]{0,8}",
        path in "\\PC{0,80}",
        query in "\\PC{0,80}",
        prefer in "\\PC{0,40}",
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let set = sample();
        let headers = vec![("prefer".to_string(), prefer)];
        let answer = set.answer(&MockRequest {
            method: &method,
            path: &path,
            query: &query,
            headers: &headers,
            body: &body,
        });
        prop_assert!([200, 204, 400, 404, 405, 422, 500].contains(&answer.status), "{}", answer.status);
    }
}

#[test]
fn paths_decode_as_paths_and_a_body_that_is_not_json_is_named() {
    let set = sample();
    // %2F-free escapes decode; a plus in a path is a plus.
    let answer = call(&set, "GET", "/orders/%6frders", &[], "");
    assert_eq!(answer.status, 422, "orderId 'orders' is not an integer");
    let literal = call(&set, "GET", "/orders/sea%72ch", &[], "");
    assert_eq!(
        literal.body, r#"{"results":[]}"#,
        "an escaped literal still matches"
    );
    let garbled = call(&set, "POST", "/otp/v1/generateOTP", &[], "{mobileNo: ");
    assert_eq!(garbled.status, 422);
    assert!(garbled.body.contains("not JSON"), "{}", garbled.body);
}

#[test]
fn an_informational_status_is_never_answered() {
    let mut spec = endpoint(HttpMethod::Get, "/ping");
    spec.success_status = "101".into();
    spec.success_example = r#"{"ok": true}"#.into();
    let set = mock_of(Sections::default(), vec![spec]);
    assert_eq!(call(&set, "GET", "/ping", &[], "").status, 200);
}
