//! A partner's staging server for the staging-check tests: HTTPS on a loopback port with a
//! certificate from a test CA (made with rcgen, trusted only by the portal under test), answering
//! whatever the test sets, and remembering what it was sent.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use partner_portal::config::ProbeSettings;
use partner_portal::config::StagingConfig;
use partner_portal::domain::egress::AddressPolicy;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::RootCertStore;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::OffsetDateTime;
use tokio_rustls::TlsAcceptor;

/// The name partners' staging URLs use in these tests; the portal resolves it to 127.0.0.1.
pub const STAGING_HOST: &str = "staging.partner.test";
/// A name the portal resolves to a private address.
pub const INTERNAL_HOST: &str = "internal.partner.test";

pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new() -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "Partner Portal test CA");
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        TestCa { issuer }
    }

    pub fn roots(&self) -> Arc<RootCertStore> {
        let mut roots = RootCertStore::empty();
        roots.add(self.issuer.der().clone()).unwrap();
        Arc::new(roots)
    }

    fn leaf(
        &self,
        name: &str,
        valid: (OffsetDateTime, OffsetDateTime),
    ) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![name.to_string()]).unwrap();
        params.not_before = valid.0;
        params.not_after = valid.1;
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }

    /// The portal's staging settings for tests: this CA only, the test names, 127.0.0.1 allowed
    /// explicitly, short time limits.
    pub fn portal_settings(&self) -> StagingConfig {
        StagingConfig {
            probe: ProbeSettings {
                policy: AddressPolicy::new(None, AddressPolicy::parse_list("127.0.0.1").unwrap()),
                roots: self.roots(),
                resolve: HashMap::from([
                    (STAGING_HOST.to_string(), vec![IpAddr::from([127, 0, 0, 1])]),
                    (INTERNAL_HOST.to_string(), vec![IpAddr::from([10, 1, 2, 3])]),
                ]),
                connect_timeout: Duration::from_secs(2),
                total_timeout: Duration::from_secs(5),
                ..ProbeSettings::default()
            },
            slow_after: Duration::from_millis(400),
            ..StagingConfig::default()
        }
    }
}

#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Answer {
    pub fn json(status: u16, body: &str) -> Answer {
        Answer {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

pub struct StagingServer {
    pub port: u16,
    pub answer: Arc<Mutex<Answer>>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
}

pub enum Certificate {
    Valid,
    Expired,
    ForHost(&'static str),
}

impl StagingServer {
    pub async fn start(ca: &TestCa, certificate: Certificate) -> StagingServer {
        let now = OffsetDateTime::now_utc();
        let day = time::Duration::days(1);
        let (name, valid) = match certificate {
            Certificate::Valid => (STAGING_HOST, (now - day, now + 90 * day)),
            Certificate::Expired => (STAGING_HOST, (now - 60 * day, now - 2 * day)),
            Certificate::ForHost(other) => (other, (now - day, now + 90 * day)),
        };
        let (chain, key) = ca.leaf(name, valid);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let answer = Arc::new(Mutex::new(Answer::json(200, "{}")));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (answer_in, seen_in) = (answer.clone(), seen.clone());
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, answer, seen) =
                    (acceptor.clone(), answer_in.clone(), seen_in.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let service = hyper::service::service_fn(
                        move |request: hyper::Request<hyper::body::Incoming>| {
                            let (answer, seen) = (answer.clone(), seen.clone());
                            async move {
                                let (parts, body) = request.into_parts();
                                let body = body
                                    .collect()
                                    .await
                                    .map(|b| b.to_bytes())
                                    .unwrap_or_default();
                                seen.lock().unwrap().push(Seen {
                                    method: parts.method.to_string(),
                                    path: parts.uri.to_string(),
                                    headers: parts
                                        .headers
                                        .iter()
                                        .map(|(n, v)| {
                                            (
                                                n.to_string(),
                                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                                            )
                                        })
                                        .collect(),
                                    body: String::from_utf8_lossy(&body).into_owned(),
                                });
                                let answer = answer.lock().unwrap().clone();
                                tokio::time::sleep(answer.delay).await;
                                let mut response = hyper::Response::builder().status(answer.status);
                                for (name, value) in &answer.headers {
                                    response = response.header(*name, value);
                                }
                                Ok::<_, std::convert::Infallible>(
                                    response.body(Full::new(Bytes::from(answer.body))).unwrap(),
                                )
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        StagingServer { port, answer, seen }
    }

    pub fn answer(&self, answer: Answer) {
        *self.answer.lock().unwrap() = answer;
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn url(&self) -> String {
        format!("https://{STAGING_HOST}:{}", self.port)
    }
}
