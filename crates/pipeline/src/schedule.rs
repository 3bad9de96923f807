//! When to poll a source next: adapt to how often it publishes, back off on
//! errors, honour Retry-After. Pure functions.

use std::time::Duration;

/// The next poll interval after a successful poll.
///
/// With dated items, aim at half the median gap between recent publications
/// (a source publishing hourly is polled every ~30 min); otherwise halve the
/// interval when something new appeared and stretch it by half when nothing
/// did. Always within `[min, max]`.
pub fn next_interval(
    previous: Duration,
    new_items: usize,
    item_times_ms: &[i64],
    min: Duration,
    max: Duration,
) -> Duration {
    let mut times: Vec<i64> = item_times_ms.to_vec();
    times.sort_unstable_by(|a, b| b.cmp(a));
    times.dedup();
    let recent: Vec<i64> = times.into_iter().take(20).collect();
    let target = if recent.len() >= 3 {
        let mut gaps: Vec<i64> = recent
            .windows(2)
            .map(|w| w.first().unwrap_or(&0) - w.get(1).unwrap_or(&0))
            .collect();
        gaps.sort_unstable();
        let median = gaps.get(gaps.len() / 2).copied().unwrap_or(0).max(0);
        Duration::from_millis(u64::try_from(median / 2).unwrap_or(0))
    } else if new_items > 0 {
        previous / 2
    } else {
        previous + previous / 2
    };
    target.clamp(min, max.max(min))
}

/// Delay after the `errors`-th consecutive failure: doubling from `min`, at
/// most a day, and never sooner than the server's Retry-After.
pub fn retry_delay(errors: i64, min: Duration, retry_after: Option<Duration>) -> Duration {
    let exp = u32::try_from(errors.clamp(1, 16) - 1).unwrap_or(0);
    let backoff = min
        .saturating_mul(2u32.saturating_pow(exp))
        .min(Duration::from_secs(86_400));
    match retry_after {
        Some(r) => backoff.max(r.min(Duration::from_secs(7 * 86_400))),
        None => backoff,
    }
}

/// ±10 % jitter so sources added together do not poll together forever.
/// Deterministic in `seed` (e.g. the source id and time) to stay testable.
pub fn jitter(d: Duration, seed: u64) -> Duration {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    let frac = (x % 2001) as f64 / 10_000.0 - 0.1; // -0.1 ..= +0.1
    let ms = d.as_millis() as f64 * (1.0 + frac);
    Duration::from_millis(ms.max(0.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(300);
    const MAX: Duration = Duration::from_secs(6 * 3600);

    #[test]
    fn follows_publishing_rhythm() {
        let hour = 3_600_000;
        let times: Vec<i64> = (0..10).map(|i| 1_000_000_000_000 - i * hour).collect();
        assert_eq!(
            next_interval(MIN, 0, &times, MIN, MAX),
            Duration::from_secs(1800)
        );
        let daily: Vec<i64> = (0..10).map(|i| 1_000_000_000_000 - i * 24 * hour).collect();
        assert_eq!(
            next_interval(MIN, 0, &daily, MIN, MAX),
            MAX,
            "capped at the maximum"
        );
        let burst: Vec<i64> = (0..10).map(|i| 1_000_000_000_000 - i * 1000).collect();
        assert_eq!(
            next_interval(MAX, 5, &burst, MIN, MAX),
            MIN,
            "never below the minimum"
        );
    }

    #[test]
    fn without_dates_halves_or_stretches() {
        let i = Duration::from_secs(1200);
        assert_eq!(next_interval(i, 3, &[], MIN, MAX), Duration::from_secs(600));
        assert_eq!(
            next_interval(i, 0, &[], MIN, MAX),
            Duration::from_secs(1800)
        );
    }

    #[test]
    fn backoff_doubles_and_honours_retry_after() {
        assert_eq!(retry_delay(1, MIN, None), MIN);
        assert_eq!(retry_delay(3, MIN, None), MIN * 4);
        assert_eq!(retry_delay(40, MIN, None), Duration::from_secs(86_400));
        assert_eq!(
            retry_delay(1, MIN, Some(Duration::from_secs(7200))),
            Duration::from_secs(7200)
        );
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        for seed in 0..1000 {
            let j = jitter(Duration::from_secs(1000), seed).as_secs_f64();
            assert!((900.0..=1100.0).contains(&j), "{j}");
        }
        assert_ne!(
            jitter(Duration::from_secs(1000), 1),
            jitter(Duration::from_secs(1000), 2)
        );
    }
}
