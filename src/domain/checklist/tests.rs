use super::*;
use crate::domain::model::*;

#[test]
fn item_ids_are_unique_and_match_the_requirements() {
    let ids: Vec<&str> = all_items().map(|i| i.id.as_str()).collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), unique.len());
    assert_eq!(ids.len(), 18);
    assert!(item("partner-code").is_some() && item("request-example").is_some());
}

#[test]
fn a_get_endpoint_does_not_count_its_request_body() {
    let spec = EndpointSpec {
        method: Some(HttpMethod::Get),
        ..EndpointSpec::default()
    };
    let assessment = assess(
        &Sections::default(),
        &[(Uuid::nil(), &spec)],
        &Settings::default(),
    );
    let endpoint = &assessment.endpoints[0];
    assert_eq!(endpoint.progress.total, 7);
    let post = EndpointSpec {
        method: Some(HttpMethod::Post),
        ..EndpointSpec::default()
    };
    let assessment = assess(
        &Sections::default(),
        &[(Uuid::nil(), &post)],
        &Settings::default(),
    );
    assert_eq!(assessment.endpoints[0].progress.total, 8);
}

#[test]
fn not_applicable_with_a_reason_stops_blocking_and_is_not_counted() {
    let mut sections = Sections::default();
    sections.not_applicable.0.insert(
        "partner-code".into(),
        "Our APIs use no partner code.".into(),
    );
    let assessment = assess(&sections, &[], &Settings::default());
    let result = assessment
        .items
        .iter()
        .find(|r| r.item.id.as_str() == "partner-code")
        .unwrap();
    assert_eq!(
        result.not_applicable_reason(),
        Some("Our APIs use no partner code.")
    );
    assert!(!result.blocks() && !result.counts());
}

#[test]
fn admins_can_make_items_optional_or_off() {
    let mut settings = Settings::default();
    settings.0.insert("test-data".into(), Requirement::Optional);
    settings.0.insert("partner-code".into(), Requirement::Off);
    let assessment = assess(&Sections::default(), &[], &settings);
    let blockers = assessment.blockers().join("\n");
    assert!(!blockers.contains("Test data") && !blockers.contains("Partner code"));
    assert!(blockers.contains("Technical SPOC"));
    assert_eq!(assessment.progress.total, 8);
}

#[test]
fn an_http_staging_url_is_missing_https() {
    let mut sections = Sections::default();
    sections.environments.staging_url = "http://sit.partner.example".into();
    let assessment = assess(&sections, &[], &Settings::default());
    let rest = assessment
        .items
        .iter()
        .find(|r| r.item.id.as_str() == "rest-https")
        .unwrap();
    assert!(rest.missing().unwrap().contains("uses http"));
}

#[test]
fn credentials_do_not_apply_without_authentication() {
    let mut sections = Sections::default();
    sections.authentication.scheme = Some(AuthScheme::None);
    let assessment = assess(&sections, &[], &Settings::default());
    let credentials = assessment
        .items
        .iter()
        .find(|r| r.item.id.as_str() == "credentials")
        .unwrap();
    assert!(credentials.does_not_apply().is_some());
    let auth = assessment
        .items
        .iter()
        .find(|r| r.item.id.as_str() == "auth")
        .unwrap();
    assert!(auth.is_done());
}

fn complete() -> (Sections, EndpointSpec) {
    let sections = Sections {
        defaults: Default::default(),
        environments: Environments {
            staging_url: "https://sit.example".into(),
            production_url: String::new(),
        },
        reachability: Reachability {
            mode: Some(ReachMode::Public),
            whitelist_confirmed: false,
        },
        authentication: Authentication {
            scheme: Some(AuthScheme::BearerToken),
            steps: "Call /token with client id and secret, then send Bearer.".into(),
        },
        credentials: Credentials {
            items: vec![CredentialName {
                name: "consumer_key".into(),
                ..Default::default()
            }],
        },
        partner_code: PartnerCode { code: "XYZ".into() },
        status_codes: StatusCodes {
            items: vec![StatusCode {
                code: "SUCC001".into(),
                message: "Request Successful".into(),
                ..Default::default()
            }],
        },
        test_data: TestData {
            items: vec![TestDatum {
                label: "Mobile".into(),
                value: "9928056506".into(),
                note: String::new(),
            }],
        },
        contacts: Contacts {
            primary: Contact {
                name: "A".into(),
                email: "a@x.example".into(),
                phone: "+91 99".into(),
                role: "Dev".into(),
                hours: "IST".into(),
            },
            backup: Contact::default(),
        },
        not_applicable: NotApplicable::default(),
    };
    let spec = EndpointSpec {
        name: "Generate OTP".into(),
        purpose: "Sends an OTP".into(),
        method: Some(HttpMethod::Post),
        path: "/otp".into(),
        headers: vec![Header {
            name: "Authorization".into(),
            value: "Bearer <<token>>".into(),
        }],
        parameters: vec![Parameter {
            name: "mobileNo".into(),
            ..Default::default()
        }],
        request_example: "{}".into(),
        success_status: "200".into(),
        success_example: "{}".into(),
        errors: vec![ErrorScenario {
            http_status: "400".into(),
            partner_code: "ERR001".into(),
            description: String::new(),
            example: "{}".into(),
        }],
        ..EndpointSpec::default()
    };
    (sections, spec)
}

#[test]
fn nothing_blocks_when_everything_is_there() {
    let (sections, spec) = complete();
    let assessment = assess(&sections, &[(Uuid::nil(), &spec)], &Settings::default());
    assert_eq!(assessment.blockers(), Vec::<String>::new());
    assert!(assessment.ready());
    assert_eq!(
        assessment.progress,
        Progress {
            done: 18,
            total: 18
        }
    );
}

/// Each item, taken out of an otherwise complete integration, is reported missing on its own.
#[test]
fn every_item_is_reported_when_it_alone_is_missing() {
    type Remove = fn(&mut Sections, &mut EndpointSpec);
    let cases: [(&str, Remove); 18] = [
        ("rest-https", |s, _| {
            s.environments.production_url = "http://api.example".into()
        }),
        ("json", |_, e| e.body_format = BodyFormat::Other),
        ("reachability", |s, _| s.reachability.mode = None),
        ("staging", |s, _| s.environments.staging_url.clear()),
        ("test-data", |s, _| s.test_data.items.clear()),
        ("spoc", |s, _| s.contacts.primary.phone.clear()),
        ("auth", |s, _| s.authentication.steps = "see docs".into()),
        ("credentials", |s, _| s.credentials.items.clear()),
        ("partner-code", |s, _| s.partner_code.code.clear()),
        ("status-codes", |s, _| s.status_codes.items.clear()),
        ("name", |_, e| e.purpose.clear()),
        ("method", |_, e| e.method = None),
        ("url", |_, e| e.path.clear()),
        ("headers", |_, e| e.headers.clear()),
        ("parameters", |_, e| e.parameters.clear()),
        ("request-example", |_, e| e.request_example.clear()),
        ("response-example", |_, e| e.success_example.clear()),
        ("errors", |_, e| e.errors[0].partner_code.clear()),
    ];
    for (id, remove) in cases {
        let (mut sections, mut spec) = complete();
        remove(&mut sections, &mut spec);
        let assessment = assess(&sections, &[(Uuid::nil(), &spec)], &Settings::default());
        let results = assessment
            .items
            .iter()
            .chain(assessment.endpoints[0].items.iter());
        let missing: Vec<&str> = results
            .filter(|r| r.blocks())
            .map(|r| r.item.id.as_str())
            .collect();
        let expected: &[&str] = match id {
            // Staging is also what "REST over HTTPS" checks first.
            "staging" => &["rest-https", "staging"],
            // "REST over HTTPS" also asks every endpoint to name its method.
            "method" => &["rest-https", "method"],
            _ => &[id],
        };
        assert_eq!(missing, expected, "removing {id}");
        assert!(!assessment.ready(), "removing {id} blocks submission");
    }
}

#[test]
fn a_status_that_never_has_a_body_is_not_asked_for_one() {
    let total = |status: &str, example: &str| {
        let spec = EndpointSpec {
            method: Some(HttpMethod::Delete),
            success_status: status.into(),
            success_example: example.into(),
            ..EndpointSpec::default()
        };
        let assessment = assess(
            &Sections::default(),
            &[(Uuid::nil(), &spec)],
            &Settings::default(),
        );
        let response = assessment.endpoints[0]
            .items
            .iter()
            .find(|r| r.item.id == ItemId::Endpoint(EndpointItem::ResponseExample))
            .unwrap()
            .state
            .clone();
        (assessment.endpoints[0].progress.total, response)
    };
    let (with_body, state) = total("200", "");
    assert!(matches!(state, State::Missing(_)), "{state:?}");
    for status in ["204", "205", "304"] {
        let (without, state) = total(status, "");
        assert_eq!(without, with_body - 1, "{status}: one item fewer to answer");
        assert!(
            matches!(state, State::DoesNotApply(_)),
            "{status}: {state:?}"
        );
    }
    // The status itself is still asked for.
    assert!(matches!(total("", "").1, State::Missing(_)));
}
