//! The SSRF guard: Tidings fetches URLs that strangers put in feeds, so it must
//! never be tricked into reaching the operator's own network. Every URL, every
//! redirect hop and every resolved address is checked; only http(s) to public
//! addresses passes unless private networks are explicitly allowed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Why an address is refused.
pub fn non_public_reason(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_reason(v4),
        IpAddr::V6(v6) => v6_reason(v6),
    }
}

fn v4_reason(ip: Ipv4Addr) -> Option<&'static str> {
    let o = ip.octets();
    let [a, b, c, _] = o;
    Some(match () {
        _ if ip.is_unspecified() || a == 0 => "unspecified address (0.0.0.0/8)",
        _ if ip.is_loopback() => "loopback address",
        _ if ip.is_private() => "private network address",
        _ if ip.is_link_local() => "link-local address (cloud metadata lives here)",
        _ if a == 100 && (b & 0xc0) == 64 => "carrier-grade NAT address (100.64.0.0/10)",
        _ if ip.is_multicast() => "multicast address",
        _ if ip.is_broadcast() => "broadcast address",
        _ if a >= 240 => "reserved address (240.0.0.0/4)",
        _ if a == 192 && b == 0 && c == 0 => "IETF protocol assignment (192.0.0.0/24)",
        _ if ip.is_documentation() => "documentation address",
        _ if a == 198 && (b & 0xfe) == 18 => "benchmarking address (198.18.0.0/15)",
        _ if a == 192 && b == 88 && c == 99 => "6to4 relay anycast",
        _ => return None,
    })
}

fn v6_reason(ip: Ipv6Addr) -> Option<&'static str> {
    let seg = ip.segments();
    // IPv4 in IPv6 clothing: judge the embedded IPv4 address.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_reason(v4).map(|_| "IPv4-mapped form of a non-public address");
    }
    let [s0, s1, s2, s3, s4, s5, s6, s7] = seg;
    if s0 == 0 && s1 == 0 && s2 == 0 && s3 == 0 && s4 == 0 && s5 == 0 && !(s6 == 0 && s7 <= 1) {
        // Deprecated IPv4-compatible form ::a.b.c.d
        let v4 = Ipv4Addr::new((s6 >> 8) as u8, s6 as u8, (s7 >> 8) as u8, s7 as u8);
        return v4_reason(v4).map(|_| "IPv4-compatible form of a non-public address");
    }
    if s0 == 0x64 && s1 == 0xff9b {
        // NAT64 prefix 64:ff9b::/96 reaches the embedded IPv4 address.
        let v4 = Ipv4Addr::new((s6 >> 8) as u8, s6 as u8, (s7 >> 8) as u8, s7 as u8);
        return v4_reason(v4).map(|_| "NAT64 form of a non-public address");
    }
    if s0 == 0x2002 {
        // 6to4 2002:a.b.c.d::/48 embeds an IPv4 address.
        let v4 = Ipv4Addr::new((s1 >> 8) as u8, s1 as u8, (s2 >> 8) as u8, s2 as u8);
        if v4_reason(v4).is_some() {
            return Some("6to4 form of a non-public address");
        }
    }
    Some(match () {
        _ if ip.is_unspecified() => "unspecified address (::)",
        _ if ip.is_loopback() => "loopback address (::1)",
        _ if (s0 & 0xfe00) == 0xfc00 => "unique-local address (fc00::/7)",
        _ if (s0 & 0xffc0) == 0xfe80 => "link-local address (fe80::/10)",
        _ if (s0 & 0xffc0) == 0xfec0 => "site-local address (fec0::/10)",
        _ if ip.is_multicast() => "multicast address",
        _ if s0 == 0x2001 && s1 == 0x0db8 => "documentation address (2001:db8::/32)",
        _ if s0 == 0x0100 && s1 == 0 && s2 == 0 && s3 == 0 => "discard-only address (100::/64)",
        _ => return None,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("only http and https URLs are fetched, not `{0}:`")]
    Scheme(String),
    #[error("the URL has no host")]
    NoHost,
    #[error(
        "{host} is a {reason}; private networks are not fetched (set fetch.allow_private_networks to allow)"
    )]
    Address { host: String, reason: &'static str },
    #[error("`{0}` names this machine; private networks are not fetched")]
    LocalName(String),
}

/// Check a URL before any connection is made. Host names are checked again
/// at resolution time (see `GuardedResolver`).
pub fn check_url(url: &Url, allow_private: bool) -> Result<(), Refusal> {
    match url.scheme() {
        "http" | "https" => {}
        s => return Err(Refusal::Scheme(s.to_string())),
    }
    let host = url.host().ok_or(Refusal::NoHost)?;
    if allow_private {
        return Ok(());
    }
    match host {
        Host::Ipv4(ip) => match v4_reason(ip) {
            Some(reason) => Err(Refusal::Address {
                host: ip.to_string(),
                reason,
            }),
            None => Ok(()),
        },
        Host::Ipv6(ip) => match v6_reason(ip) {
            Some(reason) => Err(Refusal::Address {
                host: format!("[{ip}]"),
                reason,
            }),
            None => Ok(()),
        },
        Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if d == "localhost"
                || d.ends_with(".localhost")
                || d.ends_with(".local")
                || d.ends_with(".internal")
            {
                Err(Refusal::LocalName(d))
            } else {
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(u: &str) -> bool {
        check_url(&Url::parse(u).unwrap(), false).is_err()
    }

    #[test]
    fn probe_set_is_refused() {
        for u in [
            "http://127.0.0.1/",
            "http://127.1.2.3:8080/x",
            "http://[::1]/",
            "http://10.0.0.5/",
            "http://172.16.3.4/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://224.0.0.1/",
            "http://255.255.255.255/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:7f00:1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[64:ff9b::a00:1]/",
            "http://[2002:7f00:1::]/",
            "http://[fc00::1]/",
            "http://[fd12:3456::1]/",
            "http://[fe80::1]/",
            "http://[ff02::1]/",
            "http://[::]/",
            // Decimal, hex, octal and short forms of 127.0.0.1, as browsers parse them.
            "http://2130706433/",
            "http://0x7f000001/",
            "http://0x7f.0.0.1/",
            "http://0177.0.0.1/",
            "http://127.1/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://foo.localhost/",
            "file:///etc/passwd",
            "gopher://example.com/",
            "ftp://example.com/",
        ] {
            assert!(refused(u), "{u} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for u in [
            "https://example.com/feed",
            "http://93.184.216.34/",
            "http://[2606:4700::1111]/",
            "http://8.8.8.8/",
        ] {
            assert!(!refused(u), "{u} must pass");
        }
        assert!(check_url(&Url::parse("http://127.0.0.1/").unwrap(), true).is_ok());
        assert!(
            check_url(&Url::parse("file:///x").unwrap(), true).is_err(),
            "scheme rule holds even when private is allowed"
        );
    }
}
