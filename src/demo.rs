//! Demo data so a newcomer sees a working portal at once. Idempotent: loading twice changes
//! nothing but resetting the demo passwords to the ones printed.

use sqlx::PgPool;
use uuid::Uuid;

use crate::accounts::{EmailAddress, Role};
use crate::domain::model::SectionId;
use crate::domain::password::Passwords;
use crate::intake::store;

pub const COMPANY: &str = "Demo Payments Ltd";
pub const PARTNER_CODE: &str = "DEMOPAY";

pub struct DemoLogin {
    pub role: Role,
    pub email: &'static str,
    pub name: &'static str,
    pub password: &'static str,
}

/// Public on purpose: demo data is for a developer's machine, never for a real deployment.
pub const LOGINS: [DemoLogin; 4] = [
    DemoLogin {
        role: Role::Partner,
        email: "priya@demo-payments.example",
        name: "Priya Sharma",
        password: "demo partner kettle 42",
    },
    DemoLogin {
        role: Role::Partner,
        email: "arjun@demo-payments.example",
        name: "Arjun Mehta",
        password: "demo partner teapot 42",
    },
    DemoLogin {
        role: Role::Reviewer,
        email: "reviewer@haptik.example",
        name: "Rohan Reviewer",
        password: "demo reviewer lantern 42",
    },
    DemoLogin {
        role: Role::Admin,
        email: "admin@haptik.example",
        name: "Asha Admin",
        password: "demo admin compass 42",
    },
];

pub async fn load(db: &PgPool, passwords: &Passwords) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    let company_id: Uuid = sqlx::query_scalar!(
        "INSERT INTO companies (id, name, partner_code) VALUES ($1, $2, $3)
         ON CONFLICT ((lower(name))) DO UPDATE SET partner_code = EXCLUDED.partner_code
         RETURNING id",
        Uuid::new_v4(),
        COMPANY,
        PARTNER_CODE
    )
    .fetch_one(&mut *tx)
    .await?;
    for login in &LOGINS {
        let email = EmailAddress::parse(login.email).map_err(anyhow::Error::msg)?;
        let hash = passwords.hash(login.password.to_string()).await?;
        let company = (login.role == Role::Partner).then_some(company_id);
        sqlx::query!(
        "INSERT INTO users (id, email, display_name, role, company_id, password_hash)
             VALUES ($1, $2::text::citext, $3, $4, $5, $6)
             ON CONFLICT ON CONSTRAINT users_email_key DO UPDATE
               SET display_name = EXCLUDED.display_name, role = EXCLUDED.role,
                   company_id = EXCLUDED.company_id, password_hash = EXCLUDED.password_hash, active = true",
        Uuid::new_v4(),
        email.as_str(),
        login.name,
        login.role as Role,
        company,
        hash.expose()
    )
        .execute(&mut *tx)
        .await?;
    }
    sample_integration(&mut tx, company_id).await?;
    tx.commit().await?;

    println!("Demo data loaded. Sign in with any of these (demo only, never in production):");
    for login in &LOGINS {
        println!(
            "  {:<9} {:<30} password: {}",
            login.role.label(),
            login.email,
            login.password
        );
    }
    Ok(())
}

pub const SAMPLE_INTEGRATION: &str = "Sample: OTP APIs";

/// A half-finished integration for the demo company, so the checklist has something to show:
/// test data, the partner code and the endpoint's error scenarios are still missing.
async fn sample_integration(tx: &mut sqlx::PgConnection, company: Uuid) -> anyhow::Result<()> {
    let exists: bool = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM integrations WHERE company_id = $1 AND name = $2) AS "exists!""#,
        company,
        SAMPLE_INTEGRATION
    )
    .fetch_one(&mut *tx)
    .await?;
    if exists {
        return Ok(());
    }
    let author: Uuid = sqlx::query_scalar!(
        "SELECT id FROM users WHERE email = $1::text::citext",
        LOGINS[0].email
    )
    .fetch_one(&mut *tx)
    .await?;
    let purpose = "Let the bot verify a customer by a one-time password sent to their mobile.";
    let id = store::create(tx, company, author, SAMPLE_INTEGRATION, purpose).await?;
    let mut sections = crate::seed::sample_sections();
    sections.environments.staging_url = "https://apisit.xyz.com".into();
    sections.environments.production_url = String::new();
    sections.test_data = Default::default();
    sections.partner_code = Default::default();
    for section in SectionId::ALL {
        store::save_section(tx, id, section, &sections.get(section), 0, author).await?;
    }
    let mut otp = crate::seed::sample_endpoint(0);
    otp.name = "API to generate OTP".into();
    otp.path = "/pchflih/otp/v1/generateOTP".into();
    otp.errors.clear();
    store::add_endpoint(tx, id, &otp, author).await?;
    Ok(())
}
