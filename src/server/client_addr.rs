//! The client's address as the faces see it: the TCP peer, or, when the peer is a reverse
//! proxy named with `--trusted-proxy`, the address that proxy appended to `X-Forwarded-For`.
//! Allowed-address lists, blocklists and login throttles key on it, so they keep working
//! behind nginx or Caddy; without a trusted proxy the header is ignored, since anyone can
//! send it.
//!
//! `Forwarded` (RFC 7239) is not read: nginx and Caddy set `X-Forwarded-For`, and a proxy
//! passes on whatever other forwarding header a client sent, so reading both would let a
//! client choose its own address through the one its proxy does not set.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use super::AppState;

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[IpAddr]>);

impl TrustedProxies {
    pub fn new(addresses: impl IntoIterator<Item = IpAddr>) -> Self {
        Self(addresses.into_iter().map(canonical).collect())
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.contains(&canonical(ip))
    }

    /// The client behind `peer`: `peer` itself unless it is a trusted proxy; then the last
    /// address in the forwarding chain that is not one of ours (a client can prepend any
    /// address it likes, but not append after the proxy that appended its own peer).
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let chain = forwarded_chain(headers);
        chain.into_iter().rev().find(|ip| !self.trusts(*ip)).unwrap_or(peer)
    }
}

/// An IPv4 address written as IPv6 (`::ffff:203.0.113.7`) is that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The addresses of `X-Forwarded-For`, in order, across repeated headers. Entries that are
/// not addresses (`unknown`, obfuscated names) are skipped.
fn forwarded_chain(headers: &HeaderMap) -> Vec<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|entry| parse_node(entry.trim()))
        .collect()
}

/// `203.0.113.7`, `203.0.113.7:4711`, `[2001:db8::1]`, `[2001:db8::1]:4711` or `2001:db8::1`.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(canonical(addr.ip()));
    }
    text.strip_prefix('[').and_then(|rest| rest.split(']').next()).and_then(|ip| ip.parse().ok()).map(canonical)
}

/// The client's address (see the module): what every face keys its address rules on.
/// The port is the TCP peer's.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub SocketAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |ConnectInfo(peer)| *peer);
        let ip = state.options.trusted_proxies.client_ip(peer.ip(), &parts.headers);
        Ok(Self(SocketAddr::new(ip, peer.port())))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let proxies = TrustedProxies::new([ip("10.0.0.2")]);
        let sent = headers(&[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(proxies.client_ip(ip("203.0.113.9"), &sent), ip("203.0.113.9"));
        assert_eq!(TrustedProxies::default().client_ip(ip("10.0.0.2"), &sent), ip("10.0.0.2"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_a_forged_prefix_does_not_count() {
        let proxies = TrustedProxies::new([ip("10.0.0.2"), ip("10.0.0.3")]);
        let forged = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.1"), ("x-forwarded-for", "10.0.0.3")]);
        assert_eq!(proxies.client_ip(ip("::ffff:10.0.0.2"), &forged), ip("198.51.100.1"));
        let bracketed = headers(&[("x-forwarded-for", "[2001:db8::17]:4711")]);
        assert_eq!(proxies.client_ip(ip("10.0.0.2"), &bracketed), ip("2001:db8::17"));
        // Forwarded is never read: a client could send it through a proxy that sets only XFF.
        let rfc = headers(&[("forwarded", "for=192.0.2.60"), ("x-forwarded-for", "198.51.100.4")]);
        assert_eq!(proxies.client_ip(ip("10.0.0.2"), &rfc), ip("198.51.100.4"));
        let nothing = headers(&[("x-forwarded-for", "unknown")]);
        assert_eq!(proxies.client_ip(ip("10.0.0.2"), &nothing), ip("10.0.0.2"));
    }
}
