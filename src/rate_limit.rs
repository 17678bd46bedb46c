//! Client-side rate limiting: requests wait for a permit instead of earning
//! 429s. One limiter is shared by all clones of a client and every task that
//! uses them.
//!
//! The limit is a sliding window, as Instaclustr enforces it ("35 requests
//! per second per user"): no more than `n` requests start within any window.
//! Each request reserves the earliest slot at least one window after the
//! request `n` places before it, so permits are handed out in arrival order
//! and nobody polls.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// A sliding-window limit of `per_window` requests per `window`.
#[derive(Debug)]
pub struct RateLimiter {
    per_window: usize,
    window: Duration,
    /// The start times of the last `per_window` reserved requests.
    recent: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    /// Margin added to the window so that requests spaced exactly one window
    /// apart on this side still arrive more than a window apart at the
    /// server despite network jitter.
    pub const JITTER_MARGIN: Duration = Duration::from_millis(25);

    /// `per_second` requests in any sliding second (plus [`Self::JITTER_MARGIN`]).
    pub fn per_second(per_second: u32) -> Self {
        Self::new(
            per_second.max(1) as usize,
            Duration::from_secs(1) + Self::JITTER_MARGIN,
        )
    }

    /// `per_window` requests in any sliding `window`.
    pub fn new(per_window: usize, window: Duration) -> Self {
        Self {
            per_window: per_window.max(1),
            window,
            recent: Mutex::new(VecDeque::new()),
        }
    }

    /// The configured requests per window.
    pub fn limit(&self) -> usize {
        self.per_window
    }

    /// Waits until this request may start.
    pub async fn acquire(&self) {
        let slot = self.reserve(Instant::now());
        tokio::time::sleep_until(slot).await;
    }

    /// Reserves the earliest start time at or after `now` that keeps every
    /// window under the limit. The slot stays taken even if the caller
    /// does not use it (a call given up, or dropped): the limit errs on the
    /// side of sending less.
    pub(crate) fn reserve(&self, now: Instant) -> Instant {
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let slot = if recent.len() < self.per_window {
            recent.back().map_or(now, |last| (*last).max(now))
        } else {
            let oldest = recent.pop_front().expect("full");
            (oldest + self.window)
                .max(now)
                .max(*recent.back().unwrap_or(&now))
        };
        recent.push_back(slot);
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn no_window_holds_more_than_the_limit() {
        let limiter = RateLimiter::new(3, Duration::from_secs(1));
        let t0 = Instant::now();
        let slots: Vec<Duration> = (0..10)
            .map(|_| limiter.reserve(Instant::now()) - t0)
            .collect();
        let secs: Vec<u64> = slots.iter().map(|d| d.as_millis() as u64).collect();
        assert_eq!(secs, [0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000, 3000]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_limiter_does_not_delay() {
        let limiter = RateLimiter::new(2, Duration::from_secs(1));
        limiter.acquire().await;
        tokio::time::advance(Duration::from_secs(5)).await;
        let before = Instant::now();
        limiter.acquire().await;
        limiter.acquire().await;
        assert_eq!(Instant::now(), before);
    }
}
