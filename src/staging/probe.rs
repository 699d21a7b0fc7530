//! One request to a partner's staging server, observed step by step: DNS, the address policy,
//! TCP, TLS, HTTP. It connects only to an address it has checked (there is no second
//! resolution), follows no redirects, and bounds every step in time and size. What it saw is
//! returned as `Observed`; judging it against what the partner promised is `report`'s job.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use rustls::{CertificateError, ClientConfig};
use time::OffsetDateTime;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::config::ProbeSettings;
use crate::domain::egress::Target;

/// What to send; header values and body already carry the one-time credentials.
pub struct Outgoing {
    pub method: hyper::Method,
    pub target: Target,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Default)]
pub struct Observed {
    /// Every address the name resolved to.
    pub addresses: Vec<IpAddr>,
    pub connected_to: Option<SocketAddr>,
    pub tls: Option<TlsFacts>,
    pub response: Option<ResponseFacts>,
    /// DNS, TCP and TLS together.
    pub connect_time: Option<Duration>,
    pub first_byte: Option<Duration>,
    pub total_time: Option<Duration>,
    /// The step that stopped the check, if one did.
    pub failure: Option<Failure>,
}

#[derive(Debug)]
pub struct TlsFacts {
    pub version: String,
    pub subject: Option<String>,
    pub not_after: Option<OffsetDateTime>,
}

#[derive(Debug)]
pub struct ResponseFacts {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
    /// The body went on past the size cap; only the cap was read.
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The address policy refused the host or one of its addresses.
    Refused(String),
    Dns(String),
    Connect(String),
    Certificate(String),
    Tls(String),
    Request(String),
    /// The total time ran out during the named step.
    Timeout(&'static str),
}

impl Failure {
    pub fn message(&self) -> String {
        match self {
            Failure::Refused(why) => format!("Not checked: {why}."),
            Failure::Dns(why) => format!("The name does not resolve: {why}."),
            Failure::Connect(why) => format!("No connection: {why}."),
            Failure::Certificate(why) => format!("Certificate refused: {why}."),
            Failure::Tls(why) => format!("TLS handshake failed: {why}."),
            Failure::Request(why) => format!("The request failed: {why}."),
            Failure::Timeout(step) => format!("Gave up {step}: the check's time limit ran out."),
        }
    }
}

/// Runs one check. Never fails as a function: every problem is part of what was observed.
pub async fn run(settings: &ProbeSettings, outgoing: Outgoing) -> Observed {
    let started = Instant::now();
    let mut observed = Observed::default();
    let mut step = "resolving the name";
    let outcome = tokio::time::timeout(
        settings.total_timeout,
        steps(settings, &outgoing, &mut observed, &mut step, started),
    )
    .await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(failure)) => observed.failure = Some(failure),
        Err(_) => observed.failure = Some(Failure::Timeout(step)),
    }
    observed.total_time = Some(started.elapsed());
    observed
}

async fn steps(
    settings: &ProbeSettings,
    outgoing: &Outgoing,
    observed: &mut Observed,
    step: &mut &'static str,
    started: Instant,
) -> Result<(), Failure> {
    let target = &outgoing.target;
    observed.addresses = resolve(settings, target).await?;
    // One refused record refuses the name: DNS may answer differently on the next lookup.
    if let Some((address, what)) = observed
        .addresses
        .iter()
        .find_map(|address| Some((address, settings.policy.refusal(*address)?)))
    {
        // The address itself is not told: the portal's resolver may see names the user should not.
        return Err(Failure::Refused(match target.literal {
            Some(_) => format!("{address} is {what}"),
            None => format!("{} resolves to {what}", target.host),
        }));
    }

    *step = "connecting";
    let (tcp, address) = connect(settings, &observed.addresses, target.port).await?;
    observed.connected_to = Some(address);

    *step = "in the TLS handshake";
    let tls = handshake(settings, target, tcp).await?;
    let (_, session) = tls.get_ref();
    observed.tls = Some(tls_facts(session));
    observed.connect_time = Some(started.elapsed());

    *step = "waiting for the response";
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(|err| Failure::Request(err.to_string()))?;
    // The connection task ends with the request; the total timeout bounds it like everything else.
    let _driver = AbortOnDrop(tokio::spawn(connection));
    let request = build_request(outgoing)?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|err| Failure::Request(err.to_string()))?;
    observed.first_byte = Some(started.elapsed());

    let header = |name: hyper::header::HeaderName| {
        response.headers().get(name).map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .chars()
                .take(500)
                .collect()
        })
    };
    let mut facts = ResponseFacts {
        status: response.status().as_u16(),
        location: header(hyper::header::LOCATION),
        content_type: header(hyper::header::CONTENT_TYPE),
        body: Vec::new(),
        truncated: false,
    };

    *step = "reading the body";
    let mut body = response.into_body();
    if !(300..400).contains(&facts.status) {
        while let Some(frame) = body.frame().await {
            let frame = match frame {
                Ok(frame) => frame,
                Err(err) => {
                    observed.response = Some(facts);
                    return Err(Failure::Request(format!("the body broke off: {err}")));
                }
            };
            if let Ok(data) = frame.into_data() {
                let room = settings.max_body_bytes - facts.body.len();
                if data.len() > room {
                    facts.body.extend_from_slice(&data[..room]);
                    facts.truncated = true;
                    break;
                }
                facts.body.extend_from_slice(&data);
            }
        }
    }
    observed.response = Some(facts);
    Ok(())
}

/// Ends the connection's task with the check, however the check ends (a timeout drops it).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn resolve(settings: &ProbeSettings, target: &Target) -> Result<Vec<IpAddr>, Failure> {
    if let Some(address) = target.literal {
        return Ok(vec![address]);
    }
    if let Some(addresses) = settings.resolve.get(&target.host) {
        return Ok(addresses.clone());
    }
    let lookup = tokio::net::lookup_host((target.host.as_str(), target.port));
    let found = tokio::time::timeout(settings.connect_timeout, lookup)
        .await
        .map_err(|_| Failure::Dns("no answer in time".into()))?
        .map_err(|err| Failure::Dns(err.to_string()))?;
    let mut addresses: Vec<IpAddr> = Vec::new();
    for address in found.map(|a| a.ip()) {
        if !addresses.contains(&address) {
            addresses.push(address);
        }
    }
    if addresses.is_empty() {
        return Err(Failure::Dns("no A or AAAA records".into()));
    }
    Ok(addresses)
}

/// Tries the checked addresses in the order DNS gave them.
async fn connect(
    settings: &ProbeSettings,
    addresses: &[IpAddr],
    port: u16,
) -> Result<(TcpStream, SocketAddr), Failure> {
    let mut last = String::from("no address to try");
    for ip in addresses {
        let address = SocketAddr::new(*ip, port);
        match tokio::time::timeout(settings.connect_timeout, TcpStream::connect(address)).await {
            Ok(Ok(stream)) => return Ok((stream, address)),
            Ok(Err(err)) => last = format!("{address}: {err}"),
            Err(_) => {
                last = format!(
                    "{address} did not answer within {} s",
                    settings.connect_timeout.as_secs_f32()
                )
            }
        }
    }
    Err(Failure::Connect(last))
}

async fn handshake(
    settings: &ProbeSettings,
    target: &Target,
    tcp: TcpStream,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, Failure> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| Failure::Tls(err.to_string()))?
        .with_root_certificates(settings.roots.clone())
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let name = match target.literal {
        Some(ip) => ServerName::IpAddress(ip.into()),
        None => ServerName::try_from(target.host.clone()).map_err(|err| {
            Failure::Tls(format!("{} is not a valid server name: {err}", target.host))
        })?,
    };
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|err| tls_failure(&target.host, &err))
}

/// Puts a rustls refusal in the words a partner needs to fix it.
fn tls_failure(host: &str, err: &std::io::Error) -> Failure {
    let Some(rustls::Error::InvalidCertificate(cert)) = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
    else {
        return Failure::Tls(err.to_string());
    };
    let when = |at: &rustls::pki_types::UnixTime| {
        OffsetDateTime::from_unix_timestamp(at.as_secs() as i64)
            .map(crate::web::dates::short_date)
            .unwrap_or_default()
    };
    Failure::Certificate(match cert {
        CertificateError::Expired => "the certificate has expired".into(),
        CertificateError::ExpiredContext { not_after, .. } => {
            format!("the certificate expired on {}", when(not_after))
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "the certificate is not valid yet".into()
        }
        CertificateError::NotValidForName => format!("the certificate is not valid for {host}"),
        CertificateError::NotValidForNameContext { presented, .. } => format!(
            "the certificate is not valid for {host} (it names {})",
            if presented.is_empty() {
                "no host".into()
            } else {
                // rustls formats them as `DnsName("host")`; partners need only the host.
                presented
                    .iter()
                    .map(|name| {
                        name.trim_start_matches("DnsName(")
                            .trim_start_matches("IpAddress(")
                            .trim_end_matches(')')
                            .trim_matches('"')
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ),
        CertificateError::UnknownIssuer => {
            "the certificate is not signed by an authority browsers trust".into()
        }
        other => format!("{other:?}"),
    })
}

fn tls_facts(session: &rustls::ClientConnection) -> TlsFacts {
    let version = session
        .protocol_version()
        .and_then(|v| v.as_str())
        .map(|v| v.replace("TLSv1_", "TLS 1.").replace('_', "."))
        .unwrap_or_else(|| "unknown".into());
    let leaf = session.peer_certificates().and_then(|chain| chain.first());
    let parsed = leaf.and_then(|der| x509_parser::parse_x509_certificate(der).ok());
    TlsFacts {
        version,
        subject: parsed.as_ref().map(|(_, cert)| cert.subject().to_string()),
        not_after: parsed.as_ref().and_then(|(_, cert)| {
            OffsetDateTime::from_unix_timestamp(cert.validity().not_after.timestamp()).ok()
        }),
    }
}

fn build_request(outgoing: &Outgoing) -> Result<hyper::Request<Full<Bytes>>, Failure> {
    let url = &outgoing.target.url;
    let path = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    };
    let host = if outgoing.target.port == 443 {
        url.host_str().unwrap_or_default().to_string()
    } else {
        format!(
            "{}:{}",
            url.host_str().unwrap_or_default(),
            outgoing.target.port
        )
    };
    let mut request = hyper::Request::builder()
        .method(outgoing.method.clone())
        .uri(path)
        .header(hyper::header::HOST, host);
    let sets = |name: &str| {
        outgoing
            .headers
            .iter()
            .any(|(n, _)| n.trim().eq_ignore_ascii_case(name))
    };
    if !sets("user-agent") {
        request = request.header(
            hyper::header::USER_AGENT,
            "Haptik-Partner-Portal-Staging-Check/1",
        );
    }
    if !sets("accept") {
        request = request.header(hyper::header::ACCEPT, "application/json");
    }
    for (name, value) in &outgoing.headers {
        let header = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| Failure::Request(format!("{name:?} is not a valid header name")))?;
        // Framing and routing are ours to set; a form's copy could only confuse them.
        if [
            hyper::header::HOST,
            hyper::header::CONTENT_LENGTH,
            hyper::header::TRANSFER_ENCODING,
            hyper::header::CONNECTION,
        ]
        .contains(&header)
        {
            continue;
        }
        // The value may hold a credential, so the message names only the header.
        let value = HeaderValue::from_str(value.trim()).map_err(|_| {
            Failure::Request(format!("the value of header {header} is not valid in HTTP"))
        })?;
        request = request.header(header, value);
    }
    let body = outgoing.body.clone().unwrap_or_default();
    request
        .body(Full::new(Bytes::from(body)))
        .map_err(|err| Failure::Request(err.to_string()))
}
