//! `portal seed`: bulk data for benchmarks and load tests: complete integrations shaped like the
//! sample OTP API, under one partner company whose login it prints.

use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::accounts::{EmailAddress, Role};
use crate::domain::model::*;
use crate::domain::password::Passwords;
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
    let company: Uuid = sqlx::query_scalar!(
        "INSERT INTO companies (id, name, partner_code) VALUES ($1, $2, 'SEED')
         ON CONFLICT ((lower(name))) DO UPDATE SET partner_code = EXCLUDED.partner_code RETURNING id",
        Uuid::new_v4(),
        COMPANY
    )
    .fetch_one(&mut *tx)
    .await?;
    let hash = Passwords::new().hash(PASSWORD.into()).await?;
    let email = EmailAddress::parse(LOGIN).map_err(anyhow::Error::msg)?;
    let user: Uuid = sqlx::query_scalar!(
        "INSERT INTO users (id, email, display_name, role, company_id, password_hash) VALUES ($1, $2::text::citext, 'Bench Partner', $3, $4, $5)
         ON CONFLICT ON CONSTRAINT users_email_key DO UPDATE SET password_hash = EXCLUDED.password_hash, active = true
         RETURNING id",
        Uuid::new_v4(),
        email.as_str(),
        Role::Partner as Role,
        company,
        hash.expose()
    )
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
            sqlx::query!(
        "INSERT INTO integration_sections (integration_id, section, data, updated_by) VALUES ($1, $2, $3, $4)",
        id,
        section.as_str(),
        &data,
        user
    )
                .execute(&mut *tx)
                .await?;
        }
        let specs: Vec<sqlx::types::Json<EndpointSpec>> = (0..endpoints)
            .map(|n| sqlx::types::Json(sample_endpoint(n)))
            .collect();
        let ids: Vec<Uuid> = (0..endpoints).map(|_| Uuid::new_v4()).collect();
        let positions: Vec<i32> = (1..=endpoints as i32).collect();
        sqlx::query!(
        "INSERT INTO endpoints (id, integration_id, position, spec, updated_by)
             SELECT e.id, $2, e.position, e.spec, $5 FROM unnest($1::uuid[], $3::int[], $4::jsonb[]) AS e(id, position, spec)",
        &ids,
        id,
        &positions,
        &specs as _,
        user
    )
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
        defaults: Default::default(),
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

pub const REVIEWER_LOGIN: &str = "reviewer1@seeded.example";

/// A busy review queue: `integrations` submissions spread over partner companies, in every
/// status, claimed by `reviewers` reviewers, each with one frozen revision. Written set-wise in a
/// few statements, so 10,000 take seconds. Every reviewer signs in with `PASSWORD`.
pub async fn queue(db: &PgPool, integrations: usize, reviewers: usize) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    let hash = Passwords::new().hash(PASSWORD.into()).await?;
    sqlx::query!(
        "INSERT INTO users (id, email, display_name, role, password_hash)
         SELECT gen_random_uuid(), 'reviewer' || n || '@seeded.example', 'Seeded Reviewer ' || n, 'reviewer', $2
         FROM generate_series(1, $1) n
         ON CONFLICT ON CONSTRAINT users_email_key DO UPDATE SET password_hash = EXCLUDED.password_hash, active = true",
        reviewers.max(1) as i32,
        hash.expose()
    )
    .execute(&mut *tx)
    .await?;
    let companies = (integrations / 20).max(1) as i32;
    sqlx::query!(
        "INSERT INTO companies (id, name, partner_code)
         SELECT gen_random_uuid(), 'Seeded Partner ' || n, 'SP' || n FROM generate_series(1, $1) n
         ON CONFLICT ((lower(name))) DO NOTHING",
        companies
    )
    .execute(&mut *tx)
    .await?;
    let snapshot = serde_json::to_value(crate::domain::revision::Snapshot {
        integration_id: Uuid::nil(),
        company: String::new(),
        name: String::new(),
        purpose: "Benchmark data".into(),
        sections: sample_sections(),
        endpoints: (0..3)
            .map(|n| crate::domain::revision::SnapshotEndpoint {
                id: Uuid::new_v4(),
                spec: sample_endpoint(n),
            })
            .collect(),
    })?;
    // Statuses cycle 6:2:1:1 through submitted, in review, changes requested, approved; waiting
    // times spread over the last 30 days.
    sqlx::query!(
        "WITH reviewers AS (SELECT id, row_number() OVER (ORDER BY email) AS k FROM users
                            WHERE email::text LIKE 'reviewer%@seeded.example'),
              partners AS (SELECT id, name, row_number() OVER (ORDER BY name) AS k FROM companies
                           WHERE name LIKE 'Seeded Partner %'),
              submitter AS (SELECT id FROM users WHERE email::text = 'reviewer1@seeded.example'),
              made AS (
                SELECT gen_random_uuid() AS id, n,
                       CASE WHEN n % 10 < 6 THEN 'submitted' WHEN n % 10 < 8 THEN 'in_review'
                            WHEN n % 10 < 9 THEN 'changes_requested' ELSE 'approved' END AS status,
                       now() - (n % 43200) * interval '1 minute' AS since
                FROM generate_series(1, $1) n),
              inserted AS (
                INSERT INTO integrations (id, company_id, name, purpose, status, claimed_by, claimed_at, waiting_since, approved_revision)
                SELECT m.id, p.id, 'Queued integration ' || m.n, 'Benchmark data', m.status,
                       CASE WHEN m.status = 'in_review' THEN r.id END,
                       CASE WHEN m.status = 'in_review' THEN m.since END,
                       m.since, CASE WHEN m.status = 'approved' THEN 1 END
                FROM made m
                JOIN partners p ON p.k = 1 + m.n % (SELECT count(*) FROM partners)
                JOIN reviewers r ON r.k = 1 + m.n % (SELECT count(*) FROM reviewers)
                RETURNING id, company_id, name, waiting_since)
         INSERT INTO revisions (id, integration_id, number, snapshot, submitted_by, submitted_at, items_done, items_total)
         SELECT gen_random_uuid(), i.id, 1,
                jsonb_set(jsonb_set(jsonb_set($2, '{integration_id}', to_jsonb(i.id::text)), '{name}', to_jsonb(i.name)),
                          '{company}', to_jsonb((SELECT name FROM companies WHERE id = i.company_id))),
                (SELECT id FROM submitter), i.waiting_since, 34, 34
         FROM inserted i",
        integrations as i32,
        &snapshot
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
