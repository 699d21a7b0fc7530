//! The Postman importer on collections of the shapes real ones have.

use super::*;

#[test]
fn a_wrapped_collection_with_folders_and_a_string_url_is_read() {
    let value = json!({"collection": {
        "info": {"name": "Shop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "baseUrl", "value": "https://api.shop.example/v1/"}],
        "auth": {"type": "apikey", "apikey": [{"key": "key", "value": "X-Shop-Key"}, {"key": "in", "value": "header"}]},
        "item": [
            {"name": "Orders", "item": [
                {"name": "Get order", "request": {"method": "GET", "url": "{{baseUrl}}/orders/:orderId?expand=items"},
                 "response": [{"name": "Found", "code": 200, "body": "{\"id\": 7}"},
                              {"name": "Missing", "code": 404, "body": "{\"code\": \"ORD404\"}"}]}
            ]},
            {"name": "Ping", "request": "https://api.shop.example/v1/ping"}
        ]
    }});
    let plan = plan(collection(&value).expect("a collection"));
    assert_eq!(plan.source, "Postman collection v2.1.0");
    assert_eq!(
        plan.sections.environments.staging_url,
        "https://api.shop.example/v1"
    );
    assert_eq!(
        plan.sections.authentication.scheme,
        Some(AuthScheme::ApiKey)
    );
    let order = &plan.endpoints[0];
    assert_eq!(order.name, "Orders / Get order");
    assert_eq!(order.path, "/orders/{orderId}");
    assert_eq!(order.parameters[0].name, "expand");
    assert!(
        order
            .headers
            .iter()
            .any(|h| h.name == "X-Shop-Key" && h.value == "<<X-Shop-Key>>")
    );
    assert_eq!(order.success_status, "200");
    assert_eq!(order.errors[0].partner_code, "ORD404");
    let ping = &plan.endpoints[1];
    assert_eq!(
        ping.path, "/ping",
        "the base URL a variable names is not repeated in the path"
    );
    assert!(
        plan.notes
            .iter()
            .any(|n| n.contains("Ping: no saved example"))
    );
}

#[test]
fn path_variables_become_parameters_and_switched_off_or_optional_ones_are_optional() {
    let value = json!({
        "info": {"name": "Shop", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "Get order", "request": {"method": "GET",
            "url": {"raw": "https://api.shop.example/orders/:orderId/lines/:lineId?expand=items&page=2",
                    "host": ["api", "shop", "example"], "path": ["orders", ":orderId", "lines", ":lineId"],
                    "query": [
                        {"key": "expand", "value": "items"},
                        {"key": "page", "value": "2", "description": "Optional. The page to read."},
                        {"key": "debug", "value": "1", "disabled": true}
                    ],
                    "variable": [{"key": "orderId", "value": "ORD-7", "description": "The order's id"}]}},
            "response": [{"name": "ok", "code": 200, "body": "{}"}]}]
    });
    let plan = plan(collection(&value).expect("a collection"));
    let endpoint = &plan.endpoints[0];
    let find = |name: &str| {
        endpoint
            .parameters
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no parameter {name}: {:?}", endpoint.parameters))
    };
    let order = find("orderId");
    assert_eq!(
        (
            order.location,
            order.required,
            order.example.as_str(),
            order.description.as_str()
        ),
        (Location::Path, true, "ORD-7", "The order's id")
    );
    let line = find("lineId");
    assert_eq!(
        (line.location, line.required),
        (Location::Path, true),
        "undescribed, still a parameter"
    );
    assert!(find("expand").required);
    assert!(!find("page").required, "described as optional");
    assert!(
        !find("debug").required,
        "switched off in the collection: documented, optional"
    );
    assert_eq!(endpoint.path, "/orders/{orderId}/lines/{lineId}");
}

#[test]
fn switched_off_form_fields_are_documented_as_optional_and_left_out_of_the_example() {
    let value = json!({
        "info": {"name": "OTP", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "item": [{"name": "Send OTP", "request": {"method": "POST", "url": "https://otp.example/send",
            "body": {"mode": "urlencoded", "urlencoded": [
                {"key": "mobile", "value": "9928056506"},
                {"key": "channel", "value": "sms", "disabled": true}
            ]}},
            "response": [{"name": "ok", "code": 200, "body": "{}"}]}]
    });
    let plan = plan(collection(&value).expect("a collection"));
    let endpoint = &plan.endpoints[0];
    let channel = endpoint
        .parameters
        .iter()
        .find(|p| p.name == "channel")
        .unwrap();
    assert!(!channel.required);
    assert!(endpoint.request_example.contains("mobile"));
    assert!(!endpoint.request_example.contains("channel"));
}

#[test]
fn optional_is_read_as_a_word_not_inside_optionally() {
    let on = serde_json::json!({});
    assert!(optional(&on, "Optional. The page to read."));
    assert!(optional(&on, "(optional) locale"));
    assert!(optional(&on, "This field is optional"));
    assert!(!optional(
        &on,
        "A unique name, to be optionally used in addition to the SID."
    ));
    assert!(optional(&serde_json::json!({"disabled": true}), ""));
}
