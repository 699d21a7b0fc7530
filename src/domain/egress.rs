//! Where a staging check may connect. The portal makes requests to addresses that users typed, so
//! everything that is not plainly a public HTTPS server is refused before a packet leaves.

use std::net::IpAddr;

use ipnet::IpNet;
use url::{Host, Url};

/// Ranges refused unless configured otherwise, with what a user is told about them.
const DEFAULT_BLOCKED: &[(&str, &str)] = &[
    ("0.0.0.0/8", "an unspecified address"),
    ("10.0.0.0/8", "a private address"),
    ("100.64.0.0/10", "a carrier-grade NAT address"),
    ("127.0.0.0/8", "a loopback address"),
    ("169.254.0.0/16", "a link-local address"),
    ("172.16.0.0/12", "a private address"),
    ("192.0.0.0/24", "an IETF protocol address"),
    ("192.0.2.0/24", "a documentation address"),
    ("192.168.0.0/16", "a private address"),
    ("198.18.0.0/15", "a benchmarking address"),
    ("198.51.100.0/24", "a documentation address"),
    ("203.0.113.0/24", "a documentation address"),
    ("224.0.0.0/4", "a multicast address"),
    ("240.0.0.0/4", "a reserved address"),
    ("::/128", "an unspecified address"),
    ("::1/128", "a loopback address"),
    ("::ffff:0:0/96", "an IPv4-mapped address"),
    ("::/96", "an IPv4-compatible address"),
    ("64:ff9b::/96", "a NAT64 address"),
    ("64:ff9b:1::/48", "a NAT64 address"),
    ("100::/64", "a discard address"),
    ("2001::/32", "a Teredo address"),
    ("2001:db8::/32", "a documentation address"),
    ("2002::/16", "a 6to4 address"),
    ("fc00::/7", "a private (unique local) address"),
    ("fe80::/10", "a link-local address"),
    ("fec0::/10", "a site-local address"),
    ("ff00::/8", "a multicast address"),
];

/// Cloud metadata services: refused whatever the configuration allows, because they hand out
/// the machine's own credentials.
const METADATA_ADDRESSES: &[&str] = &[
    "169.254.169.254",
    "169.254.170.2",
    "168.63.129.16",
    "100.100.100.200",
    "fd00:ec2::254",
];

const METADATA_HOSTS: &[&str] = &[
    "metadata",
    "metadata.google.internal",
    "metadata.goog",
    "metadata.azure.internal",
    "instance-data",
    "instance-data.ec2.internal",
];

/// The ranges a check refuses, and exceptions to them.
#[derive(Clone, Debug)]
pub struct AddressPolicy {
    blocked: Vec<IpNet>,
    allowed: Vec<IpNet>,
}

impl Default for AddressPolicy {
    fn default() -> Self {
        Self {
            blocked: DEFAULT_BLOCKED
                .iter()
                .map(|(net, _)| net.parse().expect("default ranges parse"))
                .collect(),
            allowed: Vec::new(),
        }
    }
}

impl AddressPolicy {
    /// `blocked: None` keeps the default list.
    pub fn new(blocked: Option<Vec<IpNet>>, allowed: Vec<IpNet>) -> Self {
        let mut policy = Self::default();
        if let Some(blocked) = blocked {
            policy.blocked = blocked;
        }
        policy.allowed = allowed;
        policy
    }

    /// Parses a comma-separated list such as "127.0.0.1/32, ::1/128" (a bare address is one host).
    pub fn parse_list(text: &str) -> Result<Vec<IpNet>, String> {
        text.split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{part:?} is not an IP address or network"))
            })
            .collect()
    }

    /// What `address` is, when it may not be connected to: "a private address", …
    pub fn refusal(&self, address: IpAddr) -> Option<String> {
        if forms(address).into_iter().any(|form| {
            METADATA_ADDRESSES
                .iter()
                .any(|m| m.parse::<IpAddr>().ok() == Some(form))
        }) {
            return Some("a cloud metadata address".into());
        }
        if self.allowed.iter().any(|net| net.contains(&address)) {
            return None;
        }
        let net = self.blocked.iter().find(|net| net.contains(&address))?;
        let label = DEFAULT_BLOCKED
            .iter()
            .find(|(text, _)| text.parse::<IpNet>().ok().as_ref() == Some(net))
            .map_or_else(
                || format!("in the blocked range {net}"),
                |(_, label)| (*label).to_string(),
            );
        Some(label)
    }
}

/// The address and the IPv4 address it embeds, if it maps one (`::ffff:a.b.c.d`) or is NAT64
/// (`64:ff9b::a.b.c.d`); a configured list must not open the metadata service in disguise.
fn forms(address: IpAddr) -> Vec<IpAddr> {
    let mut forms = vec![address, address.to_canonical()];
    if let IpAddr::V6(v6) = address {
        let nat64: IpNet = "64:ff9b::/96".parse().expect("static range parses");
        if nat64.contains(&address) {
            let [.., a, b] = v6.segments();
            let bits = (u32::from(a) << 16) | u32::from(b);
            forms.push(IpAddr::V4(bits.into()));
        }
    }
    forms
}

/// What a checked URL may be: https, a public DNS name or address, port 443 unless allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: Url,
    pub host: String,
    pub port: u16,
    /// The host was written as an address; there is nothing to resolve.
    pub literal: Option<IpAddr>,
}

/// Checks the URL itself; `port_allowed` says whether an admin allowed `host:port`.
pub fn target(url: &str, port_allowed: impl Fn(&str, u16) -> bool) -> Result<Target, String> {
    let url = Url::parse(url.trim()).map_err(|err| format!("the URL does not parse: {err}"))?;
    if url.scheme() != "https" {
        return Err(format!(
            "the URL is {}://; staging checks use https only",
            url.scheme()
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the URL carries a user name or password; type credentials into the one-time fields instead".into());
    }
    let (host, literal) = match url.host() {
        Some(Host::Domain(name)) => (name.to_ascii_lowercase(), None),
        Some(Host::Ipv4(ip)) => (ip.to_string(), Some(IpAddr::V4(ip))),
        Some(Host::Ipv6(ip)) => (ip.to_string(), Some(IpAddr::V6(ip))),
        None => return Err("the URL has no host".into()),
    };
    if literal.is_none() {
        let name = host.trim_end_matches('.');
        if METADATA_HOSTS.contains(&name) {
            return Err(format!("{host} is a cloud metadata host"));
        }
        if !name.contains('.') || name.ends_with(".localhost") || name.ends_with(".internal") {
            return Err(format!("{host} is not a public DNS name"));
        }
    }
    let port = url.port().unwrap_or(443);
    if port != 443 && !port_allowed(&host, port) {
        return Err(format!(
            "port {port} is not allowed for {host}; checks use port 443 unless a Haptik admin allows {host}:{port}"
        ));
    }
    Ok(Target {
        url,
        host,
        port,
        literal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(policy: &AddressPolicy, address: &str) -> Option<String> {
        policy.refusal(address.parse().unwrap())
    }

    #[test]
    fn the_default_refuses_every_kind_of_internal_address() {
        let policy = AddressPolicy::default();
        for (address, reason) in [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.31.255.1", "private"),
            ("192.168.1.1", "private"),
            ("169.254.1.1", "link-local"),
            ("100.64.0.1", "carrier-grade NAT"),
            ("224.0.0.251", "multicast"),
            ("0.0.0.0", "unspecified"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("::ffff:127.0.0.1", "IPv4-mapped"),
            ("::ffff:8.8.8.8", "IPv4-mapped"),
            ("fe80::1", "link-local"),
            ("fd12:3456::1", "unique local"),
            ("ff02::1", "multicast"),
            ("64:ff9b::a00:1", "NAT64"),
            ("169.254.169.254", "metadata"),
            ("fd00:ec2::254", "metadata"),
            ("168.63.129.16", "metadata"),
        ] {
            let message =
                refused(&policy, address).unwrap_or_else(|| panic!("{address} should be refused"));
            assert!(message.contains(reason), "{address}: {message}");
        }
        for public in ["8.8.8.8", "13.232.10.1", "2606:4700::1111"] {
            assert_eq!(refused(&policy, public), None, "{public}");
        }
    }

    #[test]
    fn an_allowed_range_opens_only_itself_and_never_metadata() {
        let allowed = AddressPolicy::parse_list("127.0.0.1, 169.254.0.0/16").unwrap();
        let policy = AddressPolicy::new(None, allowed);
        assert_eq!(refused(&policy, "127.0.0.1"), None);
        assert!(refused(&policy, "127.0.0.2").is_some());
        assert!(refused(&policy, "::ffff:127.0.0.1").is_some());
        assert!(
            refused(&policy, "169.254.169.254")
                .unwrap()
                .contains("metadata")
        );
        assert_eq!(refused(&policy, "169.254.1.1"), None);
        let open = AddressPolicy::new(Some(vec![]), vec![]);
        for disguised in [
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "169.254.169.254",
        ] {
            assert!(
                refused(&open, disguised).unwrap().contains("metadata"),
                "{disguised}"
            );
        }
    }

    #[test]
    fn a_configured_list_replaces_the_default_and_bad_entries_are_named() {
        let policy = AddressPolicy::new(
            Some(AddressPolicy::parse_list("8.8.8.0/24").unwrap()),
            vec![],
        );
        assert!(
            refused(&policy, "8.8.8.8")
                .unwrap()
                .contains("blocked range 8.8.8.0/24")
        );
        assert_eq!(refused(&policy, "10.0.0.1"), None);
        let err = AddressPolicy::parse_list("10.0.0.0/8, nonsense").unwrap_err();
        assert!(err.contains("nonsense"));
    }

    #[test]
    fn urls_are_https_public_names_on_port_443_unless_allowed() {
        let none = |_: &str, _: u16| false;
        let ok = target("https://apisit.xyz.com/otp", none).unwrap();
        assert_eq!(
            (ok.host.as_str(), ok.port, ok.literal),
            ("apisit.xyz.com", 443, None)
        );
        for (url, expected) in [
            ("http://apisit.xyz.com/", "https only"),
            ("https://user:pw@apisit.xyz.com/", "one-time fields"),
            ("https://metadata.google.internal/", "metadata host"),
            ("https://localhost/", "not a public DNS name"),
            ("https://db.internal/", "not a public DNS name"),
            ("https://apisit.xyz.com:8443/", "port 8443 is not allowed"),
            ("not a url", "does not parse"),
        ] {
            let err = target(url, none).unwrap_err();
            assert!(err.contains(expected), "{url}: {err}");
        }
        let allowed = target("https://apisit.xyz.com:8443/", |host, port| {
            host == "apisit.xyz.com" && port == 8443
        })
        .unwrap();
        assert_eq!(allowed.port, 8443);
        let literal = target("https://[::1]/", none).unwrap();
        assert_eq!(literal.literal, Some("::1".parse().unwrap()));
    }
}
