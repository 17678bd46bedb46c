//! Client-side rate limiting: requests wait for a permit instead of earning
//! 429s. One limiter is shared by all clones of a client and every task that
//! uses them; waiting requests get their permits in arrival order.
//!
//! The limit is a sliding window, as Instaclustr enforces it ("35 requests
//! per second per user"): no more than `n` requests start within any second
//! (plus a 25 ms margin for network jitter). Three modes ([`RateLimit`]):
//!
//! - **fixed**: `n` never changes (the Instaclustr client's default, 35);
//! - **adaptive** (the Confluent client's default): `n` is learned from the
//!   service's 429s, after the idea of aws-sdk-rust's adaptive retry mode
//!   (lower the rate on throttling, probe back up on success), fitted to a
//!   sliding-window limit:
//!   - until the service's first 429 it costs nothing to a caller making
//!     one request at a time: a request that finds none of the client's
//!     other requests in flight goes at once. Concurrent requests
//!     slow-start: [`AdaptiveRate::starting_at`] a second (20 by default),
//!     doubling every second while requests wait for permits, so fifty tasks
//!     starting together do not earn thirty 429s in their first instant;
//!   - a 429 tells how many requests the service allowed: if the throttled
//!     request was the `m`-th this client started in its window, the limit
//!     becomes `m - 1`. When the 429 came while the client stayed within
//!     what it had been allowed (not on an upward probe), the quota shrank
//!     under it, as when other clients share it: the limit becomes 90% of
//!     `m` if that is lower, a decrease in proportion to what the client
//!     took, so that clients sharing one quota converge to equal shares
//!     (additive increase, multiplicative decrease). A client alone meets
//!     429s only on its probes and keeps what it learned exactly. A 429
//!     for a request sent before the last decrease
//!     changes nothing (it was sent at the old rate); another 429 within a
//!     window of a decrease means the service's limit fell further than one
//!     step, and the limit is also cut to 70%;
//!   - after 4 s without a decrease, and only while requests are waiting for
//!     permits (an idle client learns nothing), it probes upward: +1, +3,
//!     +7, +15... above the learned limit, one step a second, so a service
//!     that raised its limit is followed within a few seconds, and one that
//!     did not costs one 429 every 5 s or so;
//!   - permits are spread evenly over the window (one every `1 s / limit`),
//!     so a raised limit does not release a burst the service would refuse;
//!   - it never goes above [`AdaptiveRate::at_most`] (none by default) or
//!     below one request a second;
//! - **off**: no client-side limit.
//!
//! `cargo bench --bench adaptive_rate` measures the adaptive mode against a
//! server whose limit the client is not told and which changes mid-run.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;

/// How a client paces its requests. Set with the builders'
/// `rate_limit(per_second)`, `adaptive_rate_limit(..)` or `no_rate_limit()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RateLimit {
    /// No client-side limit.
    Off,
    /// At most `per_second` requests start in any sliding second.
    Fixed {
        /// Requests per sliding second (at least 1).
        per_second: u32,
    },
    /// A limit learned from the service's 429s (see the [module docs](self)).
    Adaptive(AdaptiveRate),
}

/// The settings of the adaptive rate limit: where it starts and the
/// ceiling it never probes above.
///
/// ```
/// use kafka_mirror::rate_limit::AdaptiveRate;
///
/// // Instaclustr documents 35 requests per second, and may allow fewer.
/// let c = kafka_mirror::instaclustr::Client::builder("https://api.instaclustr.com")
///     .basic_auth("user", "provisioning-key")
///     .adaptive_rate_limit(AdaptiveRate::new().starting_at(35).at_most(35))
///     .build()?;
/// # Ok::<(), kafka_mirror::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdaptiveRate {
    initial: u32,
    max: Option<u32>,
}

impl Default for AdaptiveRate {
    fn default() -> Self {
        Self::new()
    }
}

impl AdaptiveRate {
    /// Starts at 20 requests per second, with no ceiling.
    pub const fn new() -> Self {
        Self {
            initial: 20,
            max: None,
        }
    }

    /// Requests per second before anything is learned (at least 1).
    pub const fn starting_at(mut self, per_second: u32) -> Self {
        self.initial = if per_second == 0 { 1 } else { per_second };
        self
    }

    /// Never more than `per_second` requests in any sliding second (at
    /// least 1), however long the service answers without a 429.
    pub const fn at_most(mut self, per_second: u32) -> Self {
        self.max = Some(if per_second == 0 { 1 } else { per_second });
        self
    }

    /// The starting rate, capped by the ceiling.
    fn start(&self) -> u32 {
        self.max.map_or(self.initial, |m| self.initial.min(m))
    }
}

/// The adaptive limit after a 429 for the `sent_before`-th request this
/// client started in its window, under `limit`. `probing`: the limit was
/// above what the service last allowed (an upward probe overshot); `again`:
/// within a window of the last decrease (the service's limit fell further
/// than one step).
///
/// The service allowed `sent_before - 1` of ours, and after a probe that is
/// the new limit. A 429 that comes while the client stays within what it
/// was allowed means the quota it had shrank: others share it, or the
/// service lowered it. Then a tenth of the count comes off as well: clients
/// sharing one quota give up in proportion to what they took, the same
/// additive probes bring them back, and their shares converge (additive
/// increase, multiplicative decrease) instead of each keeping what it had
/// when the quota filled. A client alone only meets 429s on its probes, so
/// it keeps what it learned exactly.
fn decrease(sent_before: u32, limit: u32, probing: bool, again: bool) -> u32 {
    let allowed = sent_before.saturating_sub(1);
    let mut learned = if probing {
        allowed
    } else {
        allowed.min((f64::from(sent_before) * SHARE_BETA) as u32)
    };
    if again {
        learned = learned.min((f64::from(limit) * BETA) as u32);
    }
    learned.clamp(1, limit)
}

/// Length of the sliding window: one second plus a margin, so that requests
/// spaced exactly one window apart on this side still arrive more than a
/// second apart at the server despite network jitter.
const WINDOW: Duration = Duration::from_millis(1025);
/// Time after a decrease before the adaptive limit probes upward: each
/// probe above a limit that has not moved costs one 429, so one every 5 s
/// (the hold, then the first step) keeps them near 1% of requests at 20/s.
const HOLD: Duration = Duration::from_secs(4);
/// Time between two upward steps of the adaptive limit.
const STEP: Duration = Duration::from_secs(1);
/// Send times kept at most (a caller far faster than any service's limit
/// would otherwise fill two windows' worth); a limit learned from a 429 is
/// at most this.
const MAX_SENDS: usize = 10_000;
/// The cut when a 429 follows a decrease within a window (aws-sdk-rust's
/// adaptive mode uses the same factor).
const BETA: f64 = 0.7;
/// The multiplicative part of a decrease when the quota shrank
/// ([`decrease`]): lower converges shared quotas faster
/// (`cargo bench --bench adaptive_rate`, part 4).
const SHARE_BETA: f64 = 0.9;

/// The limiter behind a client (crate-private; configured through
/// [`RateLimit`]).
#[derive(Debug)]
pub(crate) struct RateLimiter {
    state: Mutex<State>,
    /// Waiting requests queue here (tokio's mutex is fair: first come, first
    /// served); only the head of the queue sleeps on the window.
    queue: tokio::sync::Mutex<()>,
    /// Requests holding a [`Permit`]: sent and not yet answered.
    in_flight: AtomicUsize,
}

/// A granted permit, held while its request is in flight.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    limiter: &'a RateLimiter,
    sent_at: Instant,
}

impl Permit<'_> {
    /// When the request was allowed to start.
    pub(crate) fn sent_at(&self) -> Instant {
        self.sent_at
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.limiter.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

#[derive(Debug)]
struct State {
    /// Start times of this client's requests in the last two windows
    /// (oldest first): the last window decides the next permit, the one
    /// before tells how many had been sent when a throttled request left.
    sends: VecDeque<Instant>,
    /// Requests allowed per window now.
    limit: u32,
    adaptive: Option<Adaptive>,
}

#[derive(Debug)]
struct Adaptive {
    max: u32,
    /// The limit after the last decrease (or the start).
    floor: u32,
    /// What the service was last seen to allow this client (the requests
    /// before the one it refused): the first step after a hold returns to
    /// it, so the multiplicative part of a decrease lasts one hold.
    allowed: u32,
    /// Growth per step: `floor` during the slow start (doubling), 1 after a
    /// 429 (probing by +1, +3, +7...).
    increment: u32,
    /// Steps taken since `floor` was set.
    steps: u32,
    /// When a request last had to wait for its permit: within the last step,
    /// the limit is in use and worth raising.
    last_wait: Option<Instant>,
    next_step: Instant,
    last_decrease: Option<Instant>,
}

impl RateLimiter {
    /// The limiter for `mode`, or `None` when it is [`RateLimit::Off`].
    pub(crate) fn new(mode: RateLimit) -> Option<Self> {
        let (limit, adaptive) = match mode {
            RateLimit::Off => return None,
            RateLimit::Fixed { per_second } => (per_second.max(1), None),
            RateLimit::Adaptive(a) => {
                let start = a.start();
                let adaptive = Adaptive {
                    max: a.max.unwrap_or(u32::MAX),
                    floor: start,
                    // Nothing is known until the first 429: the start is a
                    // guess, and growing from it is probing.
                    allowed: 0,
                    increment: start,
                    steps: 0,
                    last_wait: None,
                    next_step: Instant::now() + STEP,
                    last_decrease: None,
                };
                (start, Some(adaptive))
            }
        };
        Some(Self {
            state: Mutex::new(State {
                sends: VecDeque::new(),
                limit,
                adaptive,
            }),
            queue: tokio::sync::Mutex::new(()),
            in_flight: AtomicUsize::new(0),
        })
    }

    /// Whether the limit is learned from 429s (adaptive mode).
    pub(crate) fn adapts(&self) -> bool {
        self.lock().adaptive.is_some()
    }

    /// Requests allowed per sliding second now.
    pub(crate) fn limit(&self) -> u32 {
        self.lock().limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a permit, to be held until the answer arrives (its
    /// [`Permit::sent_at`] is what [`Self::throttled`] needs back). `Err`
    /// with nothing taken when the permit would come after `deadline`.
    /// Dropping the future gives up the place in the queue and takes no
    /// permit.
    pub(crate) async fn acquire(&self, deadline: Option<Instant>) -> Result<Permit<'_>, ()> {
        let _turn = match deadline {
            Some(d) => tokio::time::timeout_at(d, self.queue.lock())
                .await
                .map_err(|_| ())?,
            None => self.queue.lock().await,
        };
        loop {
            let now = Instant::now();
            let alone = self.in_flight.load(Ordering::Relaxed) == 0;
            let wake = match self.lock().take(now, alone) {
                Ok(()) => {
                    self.in_flight.fetch_add(1, Ordering::Relaxed);
                    return Ok(Permit {
                        limiter: self,
                        sent_at: now,
                    });
                }
                Err(at) => at,
            };
            // A permit at the deadline itself would leave the request no
            // time at all: refused as well.
            if deadline.is_some_and(|d| wake >= d) {
                return Err(());
            }
            tokio::time::sleep_until(wake).await;
        }
    }

    /// Tells the limiter that the request started at `sent_at` (as returned
    /// by [`Self::acquire`]) was answered 429. Adaptive mode lowers the
    /// limit; a fixed limit stays as configured.
    pub(crate) fn throttled(&self, sent_at: Instant) {
        let mut state = self.lock();
        let now = Instant::now();
        if let Some(lowered) = state.throttled(sent_at, now) {
            tracing::info!(
                per_second = lowered,
                "rate limit lowered after a 429 from the service"
            );
        }
    }
}

impl State {
    /// Takes a permit at `now`, or tells when to try again. `alone`: none
    /// of the client's other requests is in flight.
    fn take(&mut self, now: Instant, alone: bool) -> Result<(), Instant> {
        while self.sends.front().is_some_and(|t| {
            now.saturating_duration_since(*t) >= 2 * WINDOW || self.sends.len() > MAX_SENDS
        }) {
            self.sends.pop_front();
        }
        if alone
            && self
                .adaptive
                .as_ref()
                .is_some_and(|a| a.last_decrease.is_none())
        {
            // Nothing throttled yet, one request at a time: not held back.
            self.sends.push_back(now);
            return Ok(());
        }
        self.step_up(now);
        let paced = self.paced_after().unwrap_or(now);
        if self.in_window(now) < self.limit as usize && paced <= now {
            self.sends.push_back(now);
            return Ok(());
        }
        let free = self.permit_after(now).max(paced);
        Err(match &mut self.adaptive {
            Some(a) => {
                a.last_wait = Some(now);
                // A step up may come first, and allow more (`step_up` just
                // moved `next_step` past `now`).
                free.min(a.next_step)
            }
            None => free,
        })
    }

    /// Adaptive mode spreads permits evenly, one every `WINDOW / limit`: a
    /// limit that just doubled does not release a burst at the edge of the
    /// service's window (which it would refuse, as it still counts the
    /// previous burst), and the service's 429s come one at a time, each
    /// telling exactly where its limit is.
    fn paced_after(&self) -> Option<Instant> {
        match (&self.adaptive, self.sends.back()) {
            (Some(_), Some(last)) => Some(*last + WINDOW / self.limit),
            _ => None,
        }
    }

    /// The earliest time a permit is free under the current limit: when
    /// the `limit`-th most recent send leaves the window.
    fn permit_after(&self, now: Instant) -> Instant {
        let limit = self.limit as usize;
        if self.in_window(now) < limit {
            return now;
        }
        self.sends[self.sends.len() - limit] + WINDOW
    }

    /// Requests started in the window that ends at `at` (inclusive).
    fn in_window(&self, at: Instant) -> usize {
        let after = self.sends.partition_point(|t| *t <= at);
        let before = self
            .sends
            .partition_point(|t| at.saturating_duration_since(*t) >= WINDOW);
        after.saturating_sub(before)
    }

    /// Adaptive mode: one step up if the time has come and requests had to
    /// wait for permits since the last step (the limit is in use).
    fn step_up(&mut self, now: Instant) {
        let Some(a) = self.adaptive.as_mut() else {
            return;
        };
        if now < a.next_step {
            return;
        }
        a.next_step = now + STEP;
        if a.last_wait
            .is_none_or(|w| now.saturating_duration_since(w) > STEP)
        {
            return;
        }
        a.steps = (a.steps + 1).min(31);
        let growth = a.increment.saturating_mul((1u32 << a.steps) - 1);
        self.limit = a.floor.saturating_add(growth).max(a.allowed).min(a.max);
        tracing::debug!(per_second = self.limit, "rate limit probing upward");
    }

    /// Adaptive mode: lowers the limit after a 429. Returns the new limit
    /// when it changed.
    fn throttled(&mut self, sent_at: Instant, now: Instant) -> Option<u32> {
        let sent_before = self.in_window(sent_at) as u32;
        let a = self.adaptive.as_mut()?;
        // Sent under a limit already lowered since: nothing new is learned.
        if a.last_decrease.is_some_and(|d| sent_at <= d) {
            return None;
        }
        let again = a.last_decrease.is_some_and(|d| sent_at < d + WINDOW);
        let probing = self.limit > a.allowed;
        let lowered = decrease(sent_before, self.limit, probing, again);
        a.floor = lowered;
        a.allowed = sent_before.saturating_sub(1).clamp(lowered, self.limit);
        a.increment = 1;
        a.steps = 0;
        a.next_step = now + HOLD;
        a.last_decrease = Some(now);
        let changed = lowered != self.limit;
        self.limit = lowered;
        changed.then_some(lowered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(n: u32) -> RateLimiter {
        RateLimiter::new(RateLimit::Fixed { per_second: n }).unwrap()
    }

    fn adaptive(a: AdaptiveRate) -> RateLimiter {
        RateLimiter::new(RateLimit::Adaptive(a)).unwrap()
    }

    /// Takes a permit and gives it back at once (its request was answered).
    async fn once(l: &RateLimiter) -> Instant {
        l.acquire(None).await.unwrap().sent_at()
    }

    /// Takes `n` permits one after another and keeps them (their requests
    /// are all in flight); returns their times since `t0` in milliseconds.
    async fn permits(l: &RateLimiter, n: usize, t0: Instant) -> (Vec<Permit<'_>>, Vec<u64>) {
        let (mut held, mut at) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let p = l.acquire(None).await.unwrap();
            at.push((p.sent_at() - t0).as_millis() as u64);
            held.push(p);
        }
        (held, at)
    }

    #[tokio::test(start_paused = true)]
    async fn no_window_holds_more_than_the_limit() {
        let l = fixed(3);
        let t0 = Instant::now();
        assert_eq!(
            permits(&l, 10, t0).await.1,
            [0, 0, 0, 1025, 1025, 1025, 2050, 2050, 2050, 3075]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_limiter_does_not_delay() {
        let l = fixed(2);
        once(&l).await;
        tokio::time::advance(Duration::from_secs(5)).await;
        let before = Instant::now();
        once(&l).await;
        once(&l).await;
        assert_eq!(Instant::now(), before);
    }

    #[test]
    fn adaptive_defaults_start_at_20_without_a_ceiling() {
        assert_eq!(AdaptiveRate::default(), AdaptiveRate::new());
        assert_eq!(AdaptiveRate::new().start(), 20);
        assert_eq!(AdaptiveRate::new().starting_at(0).start(), 1);
        assert_eq!(AdaptiveRate::new().at_most(0).start(), 1);
        assert_eq!(AdaptiveRate::new().starting_at(50).at_most(30).start(), 30);
    }

    #[tokio::test(start_paused = true)]
    async fn a_permit_exactly_at_the_deadline_is_refused() {
        let l = fixed(1);
        once(&l).await;
        let before = Instant::now();
        assert!(l.acquire(Some(before + WINDOW)).await.is_err());
        assert_eq!(Instant::now(), before);
        let later = before + WINDOW + Duration::from_millis(1);
        assert!(l.acquire(Some(later)).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn at_most_10_000_send_times_are_kept() {
        let l = adaptive(AdaptiveRate::new());
        for _ in 0..MAX_SENDS + 5 {
            once(&l).await;
        }
        // Pruned before each new send is recorded.
        assert_eq!(l.lock().sends.len(), MAX_SENDS + 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_wait_exactly_one_step_ago_still_counts_as_use() {
        let l = adaptive(AdaptiveRate::new().starting_at(2));
        let t0 = Instant::now();
        // The second permit waits (from t0) for its place in the window.
        let (_held, at) = permits(&l, 2, t0).await;
        assert_eq!(at, [0, 513]);
        tokio::time::sleep_until(t0 + STEP).await;
        let _third = l.acquire(None).await.unwrap();
        assert_eq!(l.limit(), 4, "doubled at 1 s: the limit was in use");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_one_window_after_a_decrease_is_read_as_a_new_one() {
        let l = adaptive(AdaptiveRate::new().starting_at(40));
        let (held, _) = permits(&l, 40, Instant::now()).await;
        l.throttled(held[39].sent_at());
        assert_eq!(l.limit(), 39);
        let decreased = Instant::now();
        let mut state = l.lock();
        for _ in 0..34 {
            state.sends.push_back(decreased + Duration::from_millis(10));
        }
        // Sent exactly one window after the decrease: the 35th of its
        // window was refused, so 34 are allowed (no cut to 70%); it stayed
        // within what it had been allowed, so the quota shrank: 90% of 35.
        let t = decreased + WINDOW;
        state.sends.push_back(t);
        assert_eq!(state.throttled(t, t), Some(31));
        // The same limit again is no change to report.
        let u = t + WINDOW + WINDOW;
        state.sends.extend([u; 35]);
        assert_eq!(state.throttled(u, u), None);
        assert_eq!(state.limit, 31);
    }

    #[tokio::test(start_paused = true)]
    async fn off_is_no_limiter() {
        assert!(RateLimiter::new(RateLimit::Off).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_permit_past_the_deadline_is_refused_at_once_and_takes_nothing() {
        let l = fixed(1);
        once(&l).await;
        let before = Instant::now();
        let deadline = before + Duration::from_millis(500);
        assert!(l.acquire(Some(deadline)).await.is_err());
        assert_eq!(Instant::now(), before);
        // Nothing was taken: the next permit is one window after the first.
        assert_eq!(once(&l).await - before, WINDOW);
    }

    #[tokio::test(start_paused = true)]
    async fn a_fixed_limit_ignores_429s() {
        let l = fixed(5);
        let t = once(&l).await;
        l.throttled(t);
        assert_eq!(l.limit(), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn the_adaptive_limit_doubles_while_used_until_the_first_429() {
        let l = adaptive(AdaptiveRate::new().starting_at(4));
        let t0 = Instant::now();
        let (_held, at) = permits(&l, 4 + 8 + 16, t0).await;
        let second = |s: u64| at.iter().filter(|ms| **ms / 1000 == s).count();
        // 4 in the first second; 8 from 1 s (doubled); 16 from 2 s.
        assert_eq!((second(0), second(1), second(2)), (4, 8, 16), "{at:?}");
        // Spread evenly: 4 a window are 256.25 ms apart (timers round up to
        // the millisecond).
        assert!(
            at[..4]
                .windows(2)
                .all(|w| (256..=257).contains(&(w[1] - w[0]))),
            "{at:?}"
        );
        // The step comes at 1 s exactly, and its first permit with it.
        assert_eq!(at[4], 1000, "{at:?}");
        assert_eq!(l.limit(), 16);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_adaptive_limit_does_not_grow() {
        let l = adaptive(AdaptiveRate::new().starting_at(4));
        let _held = permits(&l, 2, Instant::now()).await;
        tokio::time::advance(Duration::from_secs(30)).await;
        let _more = permits(&l, 2, Instant::now()).await;
        assert_eq!(l.limit(), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn before_any_429_one_request_at_a_time_is_not_held_back() {
        let l = adaptive(AdaptiveRate::new().starting_at(2));
        let t0 = Instant::now();
        for _ in 0..100 {
            assert_eq!(once(&l).await, t0);
        }
        // Two in flight at once: the slow start applies to the second.
        let first = l.acquire(None).await.unwrap();
        assert_eq!(once(&l).await, t0 + WINDOW);
        drop(first);
        assert_eq!(l.in_flight.load(Ordering::Relaxed), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_429_one_request_at_a_time_is_limited_too() {
        let l = adaptive(AdaptiveRate::new().starting_at(3));
        let (held, _) = permits(&l, 3, Instant::now()).await;
        l.throttled(held[2].sent_at());
        drop(held);
        assert_eq!(l.limit(), 2);
        let t0 = Instant::now();
        let mut at = Vec::new();
        for _ in 0..4 {
            at.push((once(&l).await - t0).as_millis());
        }
        // 2 a window, spread evenly.
        assert!(at.iter().filter(|ms| **ms < 1025).count() <= 2, "{at:?}");
    }

    #[test]
    fn how_far_a_429_lowers_the_limit() {
        // (sent_before, limit, probing, again, new limit)
        let table: &[(u32, u32, bool, bool, u32)] = &[
            // A probe overshot: what the service allowed, exactly.
            (21, 22, true, false, 20),
            (40, 40, true, false, 39),
            // The quota shrank: 90% of the count, when that is lower.
            (21, 21, false, false, 18),
            (40, 40, false, false, 36),
            (5, 10, false, false, 4),
            // A 429 soon after a decrease: at most 70% of the limit.
            (30, 38, true, true, 26),
            (10, 38, false, true, 9),
            // Never above the limit, never below 1.
            (50, 30, true, false, 30),
            (1, 30, false, false, 1),
            (0, 30, true, false, 1),
        ];
        for &(sent, limit, probing, again, want) in table {
            assert_eq!(
                decrease(sent, limit, probing, again),
                want,
                "{sent} {limit} {probing} {again}"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_sets_the_limit_to_what_the_service_allowed() {
        let l = adaptive(AdaptiveRate::new().starting_at(30));
        let (held, _) = permits(&l, 21, Instant::now()).await;
        let at: Vec<Instant> = held.iter().map(Permit::sent_at).collect();
        // The 21st request of the window was refused: 20 are allowed.
        l.throttled(at[20]);
        assert_eq!(l.limit(), 20);
        // Later 429s for requests sent before the decrease change nothing.
        l.throttled(at[19]);
        assert_eq!(l.limit(), 20);
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_soon_after_a_decrease_cuts_to_70_percent() {
        let l = adaptive(AdaptiveRate::new().starting_at(40));
        let (held, _) = permits(&l, 40, Instant::now()).await;
        l.throttled(held[39].sent_at());
        assert_eq!(l.limit(), 39);
        tokio::time::advance(Duration::from_millis(10)).await;
        // Sent after the decrease, refused again: the service's limit fell.
        let t = Instant::now();
        l.lock().sends.push_back(t);
        l.throttled(t);
        assert_eq!(l.limit(), 27);
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_429_the_limit_holds_4_s_then_probes_by_1_3_7() {
        let l = adaptive(AdaptiveRate::new().starting_at(11));
        let t0 = Instant::now();
        let (held, _) = permits(&l, 11, t0).await;
        l.throttled(held[10].sent_at());
        assert_eq!(l.limit(), 10);
        // Keep the limiter busy for 7 s and read its limit each second.
        let mut seen = Vec::new();
        let mut busy = Vec::new();
        while Instant::now() < t0 + Duration::from_secs(7) {
            busy.push(l.acquire(None).await.unwrap());
            let s = (Instant::now() - t0).as_secs();
            if seen.last().is_none_or(|(at, _)| *at != s) {
                seen.push((s, l.limit()));
            }
        }
        // Held at 10 for 4 s after the 429, then +1, +3, +7.
        assert_eq!(
            seen,
            [
                (1, 10),
                (2, 10),
                (3, 10),
                (4, 10),
                (5, 11),
                (6, 13),
                (7, 17)
            ]
        );
    }

    #[tokio::test(start_paused = true)]
    async fn the_adaptive_limit_stays_within_its_ceiling() {
        let l = adaptive(AdaptiveRate::new().starting_at(50).at_most(8));
        assert_eq!(l.limit(), 8);
        let t0 = Instant::now();
        let (_held, at) = permits(&l, 40, t0).await;
        assert_eq!(l.limit(), 8);
        assert_eq!(at.iter().filter(|ms| **ms < 1000).count(), 8);
    }

    #[tokio::test(start_paused = true)]
    async fn the_adaptive_limit_never_falls_below_one() {
        let l = adaptive(AdaptiveRate::new().starting_at(2));
        let t = once(&l).await;
        l.throttled(t);
        assert_eq!(l.limit(), 1);
    }
}
