//! Where keydesk may post a webhook: an `http(s)` URL whose host is a public address. A
//! caller of the license key API chooses the URL, so without this rule the server would
//! post to its own loopback services, the LAN behind it, or a cloud metadata address.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether a webhook may go to private addresses too (a shop whose receiver is on the LAN:
/// `keydesk serve --allow-private-webhooks`). Public-only by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum WebhookReach {
    #[default]
    PublicOnly,
    AnyAddress,
}

impl WebhookReach {
    pub fn admits(self, ip: IpAddr) -> bool {
        self == Self::AnyAddress || is_public(ip)
    }
}

/// Why a webhook URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRefusal {
    #[error("the webhook URL is not an http:// or https:// URL with a host")]
    NotHttp,
    #[error("the webhook URL names a loopback, private, link-local or multicast address")]
    PrivateAddress,
}

/// The host of an `http(s)` URL, without brackets, port, user or path.
pub fn host_of(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit('@').next()?;
    let host = match host_port.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next()?,
        None => host_port.split(':').next()?,
    };
    (!host.is_empty()).then_some(host)
}

/// Checks a webhook URL as given: its scheme and host, and, where the host is an address
/// or a name that always means this machine, that address. Names are checked again after
/// resolution, when the hook is posted.
pub fn check_url(url: &str, reach: WebhookReach) -> Result<(), WebhookRefusal> {
    let host = host_of(url.trim()).ok_or(WebhookRefusal::NotHttp)?;
    if reach == WebhookReach::AnyAddress {
        return Ok(());
    }
    let lowered = host.trim_end_matches('.').to_ascii_lowercase();
    if lowered == "localhost" || lowered.ends_with(".localhost") {
        return Err(WebhookRefusal::PrivateAddress);
    }
    match host.parse::<IpAddr>() {
        Ok(ip) if !is_public(ip) => Err(WebhookRefusal::PrivateAddress),
        _ => Ok(()),
    }
}

/// A globally routable unicast address: not loopback, private, shared (CGNAT), link-local,
/// unique-local, multicast, broadcast, unspecified, documentation or benchmarking.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let segments = ip.segments();
    let first = segments[0];
    let embedded = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they carry.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return is_public_v4(embedded(segments[6], segments[7]));
    }
    if first == 0x2002 {
        return is_public_v4(embedded(segments[1], segments[2]));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        || ip.to_ipv4().is_some_and(|v4| !is_public_v4(v4)) && ip.segments()[..6] == [0; 6])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_refused() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "https://api.localhost./x",
            "http://10.1.2.3/",
            "http://172.20.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]:9000/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://224.0.0.1/",
            "http://0.0.0.0/",
            "http://100.64.0.1/",
            "http://user@127.0.0.1/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:a00:1::]/",
        ] {
            assert_eq!(check_url(url, WebhookReach::PublicOnly), Err(WebhookRefusal::PrivateAddress), "{url}");
            assert_eq!(check_url(url, WebhookReach::AnyAddress), Ok(()), "{url}");
        }
        for url in ["ftp://example.com/", "http://", "https:///path", "example.com"] {
            assert_eq!(check_url(url, WebhookReach::AnyAddress), Err(WebhookRefusal::NotHttp), "{url}");
        }
    }

    #[test]
    fn public_hosts_pass() {
        for url in ["https://hooks.example.com/assigned?x=1", "http://93.184.215.14:8080/", "https://[2606:4700::1]/"] {
            assert_eq!(check_url(url, WebhookReach::PublicOnly), Ok(()), "{url}");
        }
        assert_eq!(host_of("https://u:p@[2001:db8::1]:443/x"), Some("2001:db8::1"));
    }
}
