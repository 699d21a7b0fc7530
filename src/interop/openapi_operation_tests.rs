//! The operation builder on the shapes partners' endpoints have.

use super::*;
use crate::domain::model::{ErrorScenario, HttpMethod};

#[test]
fn path_templates_are_found() {
    assert_eq!(
        path_templates("/orders/{orderId}/items/{item}"),
        ["orderId", "item"]
    );
    assert!(path_templates("/otp/v1/generateOTP").is_empty());
    assert!(path_templates("/broken/{open").is_empty());
}

fn form_endpoint() -> EndpointSpec {
    EndpointSpec {
        name: "Start verification".into(),
        method: Some(HttpMethod::Post),
        path: "/v2/Services/{ServiceSid}/Verifications".into(),
        body_format: BodyFormat::Form,
        request_example: "To=%2B919928056506\nChannel=sms".into(),
        success_status: "201".into(),
        success_example: r#"{"status": "pending"}"#.into(),
        errors: vec![
            ErrorScenario {
                http_status: "400".into(),
                partner_code: "60200".into(),
                description: "Invalid parameter".into(),
                example: r#"{"code": 60200}"#.into(),
            },
            ErrorScenario {
                http_status: "400".into(),
                partner_code: "60203".into(),
                description: "Max send attempts reached".into(),
                example: r#"{"code": 60203}"#.into(),
            },
        ],
        ..EndpointSpec::default()
    }
}

#[test]
fn a_form_request_is_declared_as_a_form_and_its_json_answers_as_json() {
    let spec = form_endpoint();
    let op = operation(&spec, &spec.path, &mut BTreeSet::new());
    let form = &op["requestBody"]["content"]["application/x-www-form-urlencoded"];
    assert_eq!(
        form["example"],
        json!({"To": "+919928056506", "Channel": "sms"})
    );
    assert_eq!(
        form["schema"]["properties"]["To"],
        json!({"type": "string"})
    );
    assert_eq!(
        op["responses"]["201"]["content"]["application/json"]["example"],
        json!({"status": "pending"})
    );
    let bad = &op["responses"]["400"]["content"]["application/json"]["examples"];
    assert_eq!(bad["first"]["value"], json!({"code": 60200}));
    assert_eq!(bad["60203"]["value"], json!({"code": 60203}));
}

#[test]
fn an_endpoint_sharing_the_operation_adds_its_examples_by_name() {
    let first = form_endpoint();
    let mut second = form_endpoint();
    second.name = "Resend verification".into();
    second.request_example = "To=%2B919928056506\nChannel=call\nLocale=en".into();
    second.success_example = r#"{"status": 1}"#.into();
    let mut op = operation(&first, &first.path, &mut BTreeSet::new());
    fold_in(&mut op, &second, &second.path);
    let form = &op["requestBody"]["content"]["application/x-www-form-urlencoded"];
    assert_eq!(
        form["examples"]["Resend_verification"]["value"]["Channel"],
        "call"
    );
    let success = &op["responses"]["201"]["content"]["application/json"];
    assert_eq!(success["examples"]["first"]["value"]["status"], "pending");
    assert_eq!(
        success["examples"]["Resend_verification"]["value"]["status"],
        1
    );
    assert!(
        success["schema"]["anyOf"]
            .as_array()
            .is_some_and(|a| a.len() == 2)
    );
    assert!(text(&op["description"]).contains("Also “Resend verification”"));
}
