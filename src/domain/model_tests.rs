//! The model's own rules: ids, stored sections, methods, imported marks.

use super::*;

#[test]
fn section_ids_round_trip() {
    for id in SectionId::ALL {
        assert_eq!(SectionId::parse(id.as_str()), Some(id));
    }
}

#[test]
fn a_malformed_stored_section_reads_as_empty() {
    let mut sections = Sections::default();
    sections.set(
        SectionId::Environments,
        serde_json::json!({"staging_url": 42}),
    );
    assert_eq!(sections.environments, Environments::default());
    sections.set(
        SectionId::Environments,
        serde_json::json!({"staging_url": "https://sit.example"}),
    );
    assert_eq!(sections.environments.staging_url, "https://sit.example");
    assert_eq!(
        sections.get(SectionId::Environments)["staging_url"],
        "https://sit.example"
    );
}

#[test]
fn an_imported_mark_lasts_until_the_field_is_changed() {
    let stored = EndpointSpec {
        success_example: "{\"id\": 0}".into(),
        errors: vec![ErrorScenario {
            partner_code: "E42".into(),
            example: "{\"code\": \"E42\"}".into(),
            ..ErrorScenario::default()
        }],
        unconfirmed: [
            "success_example",
            "error_code_0",
            "error_example_0",
            "request_example",
        ]
        .map(String::from)
        .into(),
        ..EndpointSpec::default()
    };
    let mut edited = stored.clone();
    edited.success_example = "{\"id\": 7}".into();
    edited.errors[0].partner_code = " E42 ".into();
    let kept: Vec<String> = edited
        .marks_still_unconfirmed(&stored)
        .into_iter()
        .collect();
    assert_eq!(kept, ["error_code_0", "error_example_0", "request_example"]);
    edited.errors.clear();
    assert_eq!(
        edited
            .marks_still_unconfirmed(&stored)
            .into_iter()
            .collect::<Vec<_>>(),
        ["request_example"]
    );
}

#[test]
fn only_methods_with_bodies_need_request_examples() {
    assert!(HttpMethod::Post.has_request_body());
    assert!(!HttpMethod::Get.has_request_body());
    assert!(!HttpMethod::Delete.has_request_body());
    assert_eq!(HttpMethod::parse("post"), Some(HttpMethod::Post));
}

/// Endpoints stored before responses had a format of their own read as they did, and serialize
/// (so fingerprint, so keep their sign-offs) exactly as before.
#[test]
fn an_endpoint_stored_before_response_formats_keeps_its_meaning_and_fingerprint() {
    let before =
        serde_json::json!({"name": "Report", "body_format": "other", "non_json_reason": "XML"});
    let spec: EndpointSpec = serde_json::from_value(before).unwrap();
    assert_eq!(spec.response_format(), BodyFormat::Other);
    let again: EndpointSpec = serde_json::from_value(serde_json::to_value(&spec).unwrap()).unwrap();
    assert_eq!(again, spec);
    assert!(
        serde_json::to_value(&spec)
            .unwrap()
            .get("response_format")
            .is_none()
    );
    let mut form = EndpointSpec {
        body_format: BodyFormat::Form,
        ..EndpointSpec::default()
    };
    form.set_response_format(BodyFormat::Json);
    assert_eq!(form.response_format, None, "the usual is not stored");
    form.set_response_format(BodyFormat::Xml);
    assert_eq!(form.response_format(), BodyFormat::Xml);
}
