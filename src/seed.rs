//! `portal seed`: bulk data for benchmarks and load tests: complete integrations shaped like the
//! sample OTP API, under one partner company whose login it prints.

use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::accounts::password::Passwords;
use crate::accounts::{EmailAddress, Role};
use crate::intake::model::*;
use crate::intake::store;

pub const COMPANY: &str = "Seeded Benchmark Co";
pub const LOGIN: &str = "bench@seeded.example";
pub const PASSWORD: &str = "seeded bench lantern 42";

pub struct Seeded {
    pub company: Uuid,
    pub integrations: Vec<Uuid>,
}

pub async fn run(db: &PgPool, integrations: usize, endpoints: usize) -> anyhow::Result<Seeded> {
    let mut tx = db.begin().await?;
    let company: Uuid = sqlx::query_scalar(
        "INSERT INTO companies (id, name, partner_code) VALUES ($1, $2, 'SEED')
         ON CONFLICT ((lower(name))) DO UPDATE SET partner_code = EXCLUDED.partner_code RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(COMPANY)
    .fetch_one(&mut *tx)
    .await?;
    let hash = Passwords::new().hash(PASSWORD.into()).await?;
    let email = EmailAddress::parse(LOGIN).map_err(anyhow::Error::msg)?;
    let user: Uuid = sqlx::query_scalar(
        "INSERT INTO users (id, email, display_name, role, company_id, password_hash) VALUES ($1, $2, 'Bench Partner', $3, $4, $5)
         ON CONFLICT ON CONSTRAINT users_email_key DO UPDATE SET password_hash = EXCLUDED.password_hash, active = true
         RETURNING id",
    )
    .bind(Uuid::new_v4())
    .bind(email.as_str())
    .bind(Role::Partner)
    .bind(company)
    .bind(hash.expose())
    .fetch_one(&mut *tx)
    .await?;

    let sections = sample_sections();
    let mut created = Vec::with_capacity(integrations);
    for i in 0..integrations {
        let id = store::create(
            &mut tx,
            company,
            user,
            &format!("Seeded integration {}", i + 1),
            "Benchmark data",
        )
        .await?;
        for section in SectionId::ALL {
            let data: Value = sections.get(section);
            sqlx::query("INSERT INTO integration_sections (integration_id, section, data, updated_by) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(section.as_str())
                .bind(&data)
                .bind(user)
                .execute(&mut *tx)
                .await?;
        }
        let specs: Vec<sqlx::types::Json<EndpointSpec>> = (0..endpoints)
            .map(|n| sqlx::types::Json(sample_endpoint(n)))
            .collect();
        let ids: Vec<Uuid> = (0..endpoints).map(|_| Uuid::new_v4()).collect();
        let positions: Vec<i32> = (1..=endpoints as i32).collect();
        sqlx::query(
            "INSERT INTO endpoints (id, integration_id, position, spec, updated_by)
             SELECT e.id, $2, e.position, e.spec, $5 FROM unnest($1::uuid[], $3::int[], $4::jsonb[]) AS e(id, position, spec)",
        )
        .bind(&ids)
        .bind(id)
        .bind(&positions)
        .bind(&specs)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        created.push(id);
    }
    tx.commit().await?;
    Ok(Seeded {
        company,
        integrations: created,
    })
}

pub(crate) fn sample_sections() -> Sections {
    Sections {
        environments: Environments { staging_url: "https://apisit.seeded.example".into(), production_url: "https://api.seeded.example".into() },
        reachability: Reachability { mode: Some(ReachMode::Public), whitelist_confirmed: false },
        authentication: Authentication {
            scheme: Some(AuthScheme::BearerToken),
            steps: "1. POST /oauth/token with consumer_key and consumer_secret.\n2. Send Authorization: Bearer <<token>>.".into(),
        },
        credentials: Credentials {
            items: vec![CredentialName { name: "consumer_key".into(), location: Location::Body, description: "Issued on request".into() }],
        },
        partner_code: PartnerCode { code: "SEED".into() },
        status_codes: StatusCodes {
            items: vec![
                StatusCode { code: "SUCC001".into(), message: "Request Successful".into(), http_status: "200".into(), meaning: String::new() },
                StatusCode { code: "ERR001".into(), message: "Request Failed".into(), http_status: "400".into(), meaning: String::new() },
            ],
        },
        test_data: TestData { items: vec![TestDatum { label: "Dummy mobile".into(), value: "9928056506".into(), note: String::new() }] },
        contacts: Contacts {
            primary: Contact {
                name: "Seeded Contact".into(),
                email: "spoc@seeded.example".into(),
                phone: "+91 98765 43210".into(),
                role: "Backend lead".into(),
                hours: "IST 10-19".into(),
            },
            backup: Contact::default(),
        },
        not_applicable: NotApplicable::default(),
    }
}

pub(crate) fn sample_endpoint(n: usize) -> EndpointSpec {
    EndpointSpec {
        name: format!("API {} to generate OTP", n + 1),
        purpose: "Sends a one-time password to the customer's mobile number.".into(),
        method: Some(HttpMethod::Post),
        path: format!("/otp/v1/generateOTP{}", n + 1),
        headers: vec![
            Header {
                name: "Authorization".into(),
                value: "Bearer <<token>>".into(),
            },
            Header {
                name: "Content-Type".into(),
                value: "application/json".into(),
            },
        ],
        parameters: vec![Parameter {
            name: "mobileNo".into(),
            location: Location::Body,
            kind: ParamType::String,
            required: true,
            description: "Customer mobile number".into(),
            example: "9928056506".into(),
        }],
        request_example: r#"{"mobileNo": "9928056506", "Attempt id": "1"}"#.into(),
        success_status: "200".into(),
        success_example:
            r#"{"status": "success", "status_code": "SUCC001", "message": "Request Successful"}"#
                .into(),
        errors: vec![ErrorScenario {
            http_status: "400".into(),
            partner_code: "ERR002".into(),
            description: "Invalid mobile number".into(),
            example: r#"{"status": "error", "status_code": "ERR002", "message": "Request Failed"}"#
                .into(),
        }],
        ..EndpointSpec::default()
    }
}
