//! Limits the server enforces and advertises, and the rate limiters behind some of them: a
//! fixed window per key (a device, a login name, a client address), kept in memory per server
//! instance, which is enough to slow down guessing and runaway clients.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most keys one limiter remembers; past it, finished windows are forgotten first, then the
/// oldest window, so an attacker inventing keys cannot grow the map.
pub const MAX_KEYS: usize = 100_000;

/// Limits the server enforces and advertises.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most records in one push.
    pub max_batch_records: usize,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Requests one device may make per minute.
    pub device_requests_per_minute: u32,
    /// Failed logins allowed per login name, and per client address, per 15 minutes.
    pub login_failures: u32,
    /// Password hashes (19 MiB each) that may run at once; a login past it is answered 429
    /// with `Retry-After` instead of waiting in an unbounded queue.
    pub login_hashes_at_once: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_batch_records: 1000,
            max_body_bytes: 4 * 1024 * 1024,
            device_requests_per_minute: 600,
            login_failures: 5,
            login_hashes_at_once: 8,
        }
    }
}

/// At most `max` events per `window` for each key.
#[derive(Debug)]
pub struct RateLimiter {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// A limiter allowing `max` events per `window` per key.
    pub fn new(max: u32, window: Duration) -> Self {
        RateLimiter {
            max,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key` at `now`; `Err(seconds to wait)` when over the limit.
    pub fn hit(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= MAX_KEYS && !seen.contains_key(key) {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
            if seen.len() >= MAX_KEYS {
                let oldest = seen.iter().min_by_key(|(_, (start, _))| *start);
                if let Some(k) = oldest.map(|(k, _)| k.clone()) {
                    seen.remove(&k);
                }
            }
        }
        let entry = seen.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            let wait = self.window.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    /// True when `key` has no events left in its window (without counting one).
    pub fn exhausted(&self, key: &str, now: Instant) -> Option<u64> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let (start, n) = seen.get(key)?;
        let left = self.window.saturating_sub(now.duration_since(*start));
        (*n >= self.max && !left.is_zero()).then(|| left.as_secs().max(1))
    }

    /// Takes back one event counted for `key` (an attempt that turned out not to count).
    pub fn undo(&self, key: &str) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, n)) = seen.get_mut(key) {
            *n = n.saturating_sub(1);
        }
    }

    /// How many keys are remembered.
    pub fn len(&self) -> usize {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// True when no key is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets `key` (after a successful login).
    pub fn reset(&self, key: &str) {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_proxies_and_name_keys() {
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        assert_eq!(address_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            address_key(ip("2001:db8:1:2:ffff::9")),
            address_key(ip("2001:db8:1:2::1"))
        );
        assert_eq!(address_key(ip("::ffff:10.1.2.3")), "10.1.2.3");
        let proxy: Cidr = "127.0.0.0/8".parse().expect("cidr");
        let p6: Cidr = "fd00::/8".parse().expect("cidr");
        assert!(proxy.contains(ip("127.9.9.9")) && !proxy.contains(ip("128.0.0.1")));
        assert!(p6.contains(ip("fd12::1")) && !p6.contains(ip("fe80::1")));
        assert!("10.0.0.0/33".parse::<Cidr>().is_err() && "nope".parse::<Cidr>().is_err());
        let t = [proxy];
        let none = std::iter::empty::<&str>;
        // Not from a trusted proxy: the header is the client's own words, ignored.
        assert_eq!(
            client_address(ip("10.0.0.1"), &t, none(), ["1.2.3.4"].into_iter()),
            ip("10.0.0.1")
        );
        // The nearest untrusted hop wins; a client's own forged hops to its left do not.
        assert_eq!(
            client_address(
                ip("127.0.0.1"),
                &t,
                none(),
                ["6.6.6.6, 1.2.3.4, 127.0.0.5"].into_iter()
            ),
            ip("1.2.3.4")
        );
        assert_eq!(
            client_address(
                ip("127.0.0.1"),
                &t,
                [r#"for="[2001:db8::7]:443";proto=https"#].into_iter(),
                ["9.9.9.9"].into_iter()
            ),
            ip("2001:db8::7")
        );
        assert_eq!(
            client_address(ip("127.0.0.1"), &t, none(), ["garbage"].into_iter()),
            ip("127.0.0.1")
        );
        let long = "A".repeat(1 << 20);
        assert!(LoginLimiter::user_key(&long).len() <= 69);
        assert_eq!(
            LoginLimiter::user_key(" Ada "),
            LoginLimiter::user_key("ada")
        );
        let l = LoginLimiter::new(5, Duration::from_secs(60), 2);
        let (a, b) = (l.try_hash(), l.try_hash());
        assert!(a.is_some() && b.is_some() && l.try_hash().is_none());
        drop(a);
        assert!(l.try_hash().is_some());
    }

    #[test]
    fn the_map_never_holds_more_than_max_keys() {
        let l = RateLimiter::new(5, Duration::from_secs(60));
        let t0 = Instant::now();
        for i in 0..MAX_KEYS + 50 {
            let _ = l.hit(&format!("k{i}"), t0);
        }
        assert_eq!(l.len(), MAX_KEYS);
        l.undo("k99999");
        l.undo("missing");
    }

    #[test]
    fn window_table() {
        let l = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        let steps: &[(&str, u64, Result<(), u64>)] = &[
            ("a", 0, Ok(())),
            ("a", 1, Ok(())),
            ("a", 2, Err(58)),
            ("b", 2, Ok(())),
            ("a", 59, Err(1)),
            ("a", 60, Ok(())),
        ];
        for (key, at, want) in steps {
            assert_eq!(
                l.hit(key, t0 + Duration::from_secs(*at)),
                *want,
                "{key}@{at}"
            );
        }
        assert_eq!(l.exhausted("b", t0 + Duration::from_secs(3)), None);
        l.reset("a");
        assert_eq!(l.hit("a", t0 + Duration::from_secs(61)), Ok(()));
    }
}

/// An address or a network (`10.0.0.1`, `10.0.0.0/8`, `fd00::/8`): a proxy whose forwarded
/// client address the server believes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s}: not an address or address/prefix (e.g. 10.0.0.0/8, ::1)");
        let (ip, prefix) = match s.trim().split_once('/') {
            Some((ip, p)) => (ip, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let net: IpAddr = ip.parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Cidr { net, prefix })
    }
}

impl Cidr {
    /// True when `ip` is in this network (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = unmap(ip);
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

fn unmap(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The key a client address is limited under: an IPv4 address, or an IPv6 address's /64
/// (one home or phone gets a whole /64, so single addresses would be free to churn).
pub fn address_key(ip: IpAddr) -> String {
    match unmap(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The caller's address: the socket's peer, unless the peer is one of `trusted` proxies; then
/// the nearest address in `Forwarded: for=` (or else `X-Forwarded-For`) that is not itself a
/// trusted proxy. A header that cannot be read leaves the peer's address.
pub fn client_address<'a>(
    peer: IpAddr,
    trusted: &[Cidr],
    forwarded: impl Iterator<Item = &'a str>,
    x_forwarded_for: impl Iterator<Item = &'a str>,
) -> IpAddr {
    if !trusted.iter().any(|c| c.contains(peer)) {
        return peer;
    }
    let from_forwarded: Vec<&str> = forwarded
        .flat_map(|v| v.split(','))
        .filter_map(|elem| {
            elem.split(';').find_map(|pair| {
                let (k, v) = pair.trim().split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then_some(v.trim())
            })
        })
        .collect();
    let hops: Vec<&str> = if from_forwarded.is_empty() {
        x_forwarded_for.flat_map(|v| v.split(',')).collect()
    } else {
        from_forwarded
    };
    let mut parsed = Vec::with_capacity(hops.len());
    for hop in hops {
        match parse_hop(hop) {
            Some(ip) => parsed.push(ip),
            None => return peer,
        }
    }
    parsed
        .iter()
        .rev()
        .find(|ip| !trusted.iter().any(|c| c.contains(**ip)))
        .or(parsed.first())
        .copied()
        .unwrap_or(peer)
}

/// One hop of a forwarded header: `1.2.3.4`, `1.2.3.4:5678`, `"[2001:db8::1]:443"`, `2001:db8::1`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let h = hop.trim().trim_matches('"');
    if let Ok(ip) = h.parse() {
        return Some(ip);
    }
    if let Some(rest) = h.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    h.rsplit_once(':')?.0.parse().ok()
}

/// What stands between a login and its Argon2 hash: attempts per name and per address,
/// counted before the hash, and a cap on hashes running at once.
#[derive(Debug)]
pub struct LoginLimiter {
    /// Attempts per `user:` and `client:` key.
    pub(crate) attempts: RateLimiter,
    hashing: std::sync::atomic::AtomicUsize,
    max_hashing: usize,
}

/// A slot to run one password hash in; given back when dropped.
#[derive(Debug)]
pub struct HashPermit<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for HashPermit<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
    }
}

impl LoginLimiter {
    /// `failures` attempts per key per `window`; `hashes_at_once` hashes at a time.
    pub fn new(failures: u32, window: Duration, hashes_at_once: usize) -> Self {
        LoginLimiter {
            attempts: RateLimiter::new(failures, window),
            hashing: std::sync::atomic::AtomicUsize::new(0),
            max_hashing: hashes_at_once.max(1),
        }
    }

    /// A slot for one hash, or `None` when `hashes_at_once` are running.
    pub fn try_hash(&self) -> Option<HashPermit<'_>> {
        use std::sync::atomic::Ordering;
        self.hashing
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max_hashing).then_some(n + 1)
            })
            .ok()
            .map(|_| HashPermit(&self.hashing))
    }

    /// The key a login name is limited under: trimmed, lower-cased, at most 128 characters
    /// looked at, and hashed, so a key is never longer than 69 bytes whatever was sent.
    /// Admits one password check: counted per name and per address BEFORE the hash, and a
    /// hash slot held while the returned value lives. `Err(seconds to wait)` when a count is
    /// spent or every slot is busy (then nothing stays counted). Sign-in and a password
    /// change both come through here.
    pub fn admit(
        &self,
        username: &str,
        client: IpAddr,
        now: Instant,
    ) -> Result<Admission<'_>, u64> {
        let user_key = Self::user_key(username);
        let client_key = format!("client:{}", address_key(client));
        self.attempts.hit(&client_key, now)?;
        if let Err(wait) = self.attempts.hit(&user_key, now) {
            self.attempts.undo(&client_key);
            return Err(wait);
        }
        let Some(permit) = self.try_hash() else {
            self.attempts.undo(&client_key);
            self.attempts.undo(&user_key);
            return Err(1);
        };
        Ok(Admission {
            user_key,
            client_key,
            _permit: permit,
        })
    }

    pub fn user_key(username: &str) -> String {
        let norm: String = username.trim().chars().take(128).collect::<String>();
        format!("user:{}", crate::util::hash_secret(&norm.to_lowercase()))
    }
}

/// A password check let in by [`LoginLimiter::admit`]: its keys, and the hash slot it holds.
pub struct Admission<'a> {
    /// The name's key (reset after a right password).
    pub user_key: String,
    /// The address's key (its attempt is taken back after a right password).
    pub client_key: String,
    _permit: HashPermit<'a>,
}
