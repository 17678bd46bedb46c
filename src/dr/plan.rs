//! The runbooks' decisions, as pure functions of what was read: where a
//! topic starts, whether a status is on an action's path, when a topic has
//! arrived, and what an action's failed request means. The loops in
//! `run.rs` only carry them out; the tables at the bottom test them.

use crate::Error;
use crate::confluent::types::MirrorTopicStatus as S;

use super::report::{Kind, MirrorAction};

/// What a runbook does with a topic it found in `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Start {
    /// It is already where the runbook leads: nothing to send.
    Done,
    /// An earlier run's action is under way: wait for it, send nothing.
    Await(MirrorAction),
    /// Send this action.
    Send(MirrorAction),
    /// The runbook cannot start from there.
    Refuse(&'static str),
}

/// Where `kind` starts a topic found in `status`. A re-run finds the
/// topics of an interrupted run in flight or done, and only waits.
pub(super) fn start(kind: Kind, status: &S) -> Start {
    match (kind, status) {
        (Kind::Switchover, S::Stopped) => Start::Done,
        (Kind::Switchover, S::PendingStopped) => Start::Await(MirrorAction::Promote),
        (Kind::Switchover, S::Active | S::Paused) => Start::Send(MirrorAction::Promote),
        (Kind::Switchover, _) => Start::Refuse("promote needs ACTIVE or PAUSED"),
        (Kind::Failover, S::Stopped) => Start::Done,
        (Kind::Failover, S::PendingStopped) => Start::Await(MirrorAction::Failover),
        // Failover is for a mirror that has lost its source, whatever
        // state that left it in.
        (Kind::Failover, _) => Start::Send(MirrorAction::Failover),
        (Kind::Failback, S::Active | S::Paused) => Start::Send(MirrorAction::ReverseAndStart),
        (Kind::Failback, S::Stopped) => Start::Send(MirrorAction::TruncateAndRestore),
        (Kind::Failback, S::PendingRestore | S::PendingSetupForRestore) => {
            Start::Await(MirrorAction::TruncateAndRestore)
        }
        // A reverse under way stops this side first.
        (Kind::Failback, S::PendingStopped) => Start::Await(MirrorAction::ReverseAndStart),
        (Kind::Failback, _) => Start::Refuse(
            "failback starts from ACTIVE or PAUSED (reverse-and-start) or STOPPED (truncate-and-restore)",
        ),
        (Kind::Action(a), s) if arrival(a, s, 0, Some(0)) == Arrival::Arrived => Start::Done,
        (Kind::Action(a), s) if on_path(a, s) => Start::Await(a),
        // The service decides, and says why in its answer.
        (Kind::Action(a), _) => Start::Send(a),
    }
}

/// Where `kind` starts a topic found in `status` that an earlier,
/// unfinished run had sent `earlier` (from its journal): an action that
/// has arrived is done and one on its way is awaited, so a re-run does not
/// undo it (a failback's reversed topic is `STOPPED`, which alone would
/// read as "truncate and restore it"; its restored topic is `ACTIVE`,
/// which would read as "reverse it"). Otherwise as [`start`].
pub(super) fn resume(kind: Kind, status: &S, earlier: Option<MirrorAction>) -> Start {
    match earlier {
        // An `ACTIVE` end is reached only once caught up: the wait decides.
        Some(a) if on_path(a, status) && *status == a.end_state() && *status != S::Active => {
            Start::Done
        }
        Some(a) if on_path(a, status) => Start::Await(a),
        _ => start(kind, status),
    }
}

/// Whether `status` is one `action` leads through or to: after a lost
/// answer, a topic found there was acted on.
pub(super) fn on_path(action: MirrorAction, status: &S) -> bool {
    match action {
        MirrorAction::Promote
        | MirrorAction::Failover
        | MirrorAction::ReverseAndStart
        | MirrorAction::ReverseAndPause => {
            matches!(status, S::PendingStopped | S::Stopped)
        }
        MirrorAction::TruncateAndRestore => {
            matches!(
                status,
                S::PendingSetupForRestore | S::PendingRestore | S::Active
            )
        }
        MirrorAction::Pause => *status == S::Paused,
        MirrorAction::Resume => *status == S::Active,
    }
}

/// Where a topic is, on its way after `action`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Arrival {
    /// At the end: done.
    Arrived,
    /// Not yet.
    OnTheWay,
    /// In a state it does not leave by itself.
    Stuck,
}

/// Whether a topic in `status` with `lag` (all partitions) has arrived
/// after `action`. `max_lag`: for an action ending in `ACTIVE`, the lag at
/// or below which it has caught up (`None`: `ACTIVE` is enough).
pub(super) fn arrival(action: MirrorAction, status: &S, lag: i64, max_lag: Option<u64>) -> Arrival {
    let caught_up = max_lag.is_none_or(|m| lag.max(0) as u64 <= m);
    match (action, status) {
        (a, s) if *s == a.end_state() && (*s != S::Active || caught_up) => Arrival::Arrived,
        // A failover is the way out of these, so they do not end its wait.
        (MirrorAction::Failover, _) => Arrival::OnTheWay,
        (_, S::Failed | S::LinkFailed) => Arrival::Stuck,
        _ => Arrival::OnTheWay,
    }
}

/// What an action request that returned an error means for its topics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// The service refused the request as a whole (a 4xx other than 408 and
    /// 429, or an argument refused before sending): nothing was acted on.
    Refused,
    /// No usable answer: the request may or may not have been applied
    /// (reset or timeout in flight, a 5xx, 429s past the retry policy, an
    /// answer that does not decode). The topics are read back.
    Lost,
}

/// The meaning of an action request's error.
pub(super) fn failure(e: &Error) -> Failure {
    match e {
        Error::InvalidArgument(_) | Error::Config(_) => Failure::Refused,
        Error::Api(a) if refused(a.status()) => Failure::Refused,
        _ => Failure::Lost,
    }
}

/// What a topic refused inside an action's 200 answer means, from its
/// `error_code`: the service's codes are an HTTP status (`400`) or one with
/// two more digits (`40002`, `50003`). A server-side failure or a throttle
/// (5xx, 408, 429) says the service did not get to it this time, so it is
/// read back and, if it did not move, sent again; anything else (a 4xx, or
/// no code) is the service's answer, and stands.
pub(super) fn item_failure(error_code: Option<i64>) -> Failure {
    let Some(code) = error_code else {
        return Failure::Refused;
    };
    let status = if (10_000..60_000).contains(&code) {
        code / 100
    } else {
        code
    };
    match u16::try_from(status)
        .ok()
        .and_then(|s| reqwest::StatusCode::from_u16(s).ok())
    {
        Some(s) if s.is_server_error() || !refused(s) && s.is_client_error() => Failure::Lost,
        _ => Failure::Refused,
    }
}

/// A 4xx other than 408 and 429: the service refused the request as
/// sent, and will again.
fn refused(s: reqwest::StatusCode) -> bool {
    s.is_client_error() && s.as_u16() != 408 && s.as_u16() != 429
}

/// How a wait reads the link at its next poll.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Read {
    /// Every mirror topic of the link, every page: what the report is made
    /// from, and what a wait needs to see where topics went.
    Complete,
    /// Only the topics in this status (the `mirror_status` filter), page
    /// by page until one awaited topic shows: one request while any is
    /// still there, however many topics the link has.
    Waypoint(S),
}

/// The status every topic passes through on its way after `action`, if
/// there is one: the promote family goes `PENDING_STOPPED` then `STOPPED`.
/// A restore passes through two (and its arrival depends on the lag), a
/// pause or resume through none.
pub(super) fn waypoint(action: MirrorAction) -> Option<S> {
    match action {
        MirrorAction::Promote
        | MirrorAction::Failover
        | MirrorAction::ReverseAndStart
        | MirrorAction::ReverseAndPause => Some(S::PendingStopped),
        MirrorAction::TruncateAndRestore | MirrorAction::Pause | MirrorAction::Resume => None,
    }
}

/// The next read of a wait for the topics in flight after `actions`:
/// while they all pass through one waypoint, only the topics still in it
/// (a poll then costs one request, not one per page of the link); once a
/// waypoint read shows none of them (`waypoint_empty`), one complete read,
/// so that where they went is observed rather than inferred.
pub(super) fn next_read(
    actions: impl IntoIterator<Item = MirrorAction>,
    waypoint_empty: bool,
) -> Read {
    if waypoint_empty {
        return Read::Complete;
    }
    let mut common = None;
    for action in actions {
        match (waypoint(action), &common) {
            (None, _) => return Read::Complete,
            (Some(w), Some(c)) if w != *c => return Read::Complete,
            (Some(w), _) => common = Some(w),
        }
    }
    common.map_or(Read::Complete, Read::Waypoint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_a_wait_reads_the_link() {
        use MirrorAction as A;
        let pending = Read::Waypoint(S::PendingStopped);
        let table: &[(&[A], bool, Read)] = &[
            // Nothing in flight: a complete read ends the wait.
            (&[], false, Read::Complete),
            (&[A::Promote], false, pending.clone()),
            (&[A::Promote, A::Promote], false, pending.clone()),
            (&[A::Failover], false, pending.clone()),
            (
                &[A::ReverseAndStart, A::ReverseAndPause],
                false,
                pending.clone(),
            ),
            // The waypoint showed none of them: see where they went.
            (&[A::Promote], true, Read::Complete),
            // No single waypoint.
            (&[A::TruncateAndRestore], false, Read::Complete),
            (
                &[A::ReverseAndStart, A::TruncateAndRestore],
                false,
                Read::Complete,
            ),
            (&[A::Pause], false, Read::Complete),
            (&[A::Resume], false, Read::Complete),
        ];
        for (actions, empty, want) in table {
            assert_eq!(
                next_read(actions.iter().copied(), *empty),
                *want,
                "{actions:?} {empty}"
            );
        }
    }

    #[test]
    fn where_each_runbook_starts_a_topic() {
        use MirrorAction as A;
        let table: &[(Kind, S, Start)] = &[
            (Kind::Switchover, S::Active, Start::Send(A::Promote)),
            (Kind::Switchover, S::Paused, Start::Send(A::Promote)),
            (
                Kind::Switchover,
                S::PendingStopped,
                Start::Await(A::Promote),
            ),
            (Kind::Switchover, S::Stopped, Start::Done),
            (
                Kind::Switchover,
                S::SourceUnavailable,
                Start::Refuse("promote needs ACTIVE or PAUSED"),
            ),
            (
                Kind::Switchover,
                S::Failed,
                Start::Refuse("promote needs ACTIVE or PAUSED"),
            ),
            (Kind::Failover, S::Active, Start::Send(A::Failover)),
            (
                Kind::Failover,
                S::SourceUnavailable,
                Start::Send(A::Failover),
            ),
            (Kind::Failover, S::Failed, Start::Send(A::Failover)),
            (Kind::Failover, S::PendingStopped, Start::Await(A::Failover)),
            (Kind::Failover, S::Stopped, Start::Done),
            (Kind::Failback, S::Active, Start::Send(A::ReverseAndStart)),
            (Kind::Failback, S::Paused, Start::Send(A::ReverseAndStart)),
            (
                Kind::Failback,
                S::Stopped,
                Start::Send(A::TruncateAndRestore),
            ),
            (
                Kind::Failback,
                S::PendingRestore,
                Start::Await(A::TruncateAndRestore),
            ),
            (
                Kind::Failback,
                S::PendingSetupForRestore,
                Start::Await(A::TruncateAndRestore),
            ),
            (
                Kind::Failback,
                S::PendingStopped,
                Start::Await(A::ReverseAndStart),
            ),
            (Kind::Action(A::Promote), S::Active, Start::Send(A::Promote)),
            (
                Kind::Action(A::Promote),
                S::PendingStopped,
                Start::Await(A::Promote),
            ),
            (Kind::Action(A::Promote), S::Stopped, Start::Done),
            (Kind::Action(A::Pause), S::Paused, Start::Done),
            (Kind::Action(A::Pause), S::Active, Start::Send(A::Pause)),
            (Kind::Action(A::Resume), S::Active, Start::Done),
            (Kind::Action(A::Resume), S::Paused, Start::Send(A::Resume)),
            (
                Kind::Action(A::TruncateAndRestore),
                S::PendingRestore,
                Start::Await(A::TruncateAndRestore),
            ),
            // Refusing is the service's to do, in its answer.
            (
                Kind::Action(A::Resume),
                S::SourceUnavailable,
                Start::Send(A::Resume),
            ),
        ];
        for (kind, status, expected) in table {
            assert_eq!(start(*kind, status), *expected, "{kind} from {status}");
        }
        assert!(matches!(
            start(Kind::Failback, &S::Failed),
            Start::Refuse(_)
        ));
    }

    #[test]
    fn a_rerun_keeps_what_an_unfinished_run_had_done() {
        use MirrorAction as A;
        let table: &[(Kind, S, Option<A>, Start)] = &[
            // The ambiguous ones: the journal tells.
            (
                Kind::Failback,
                S::Stopped,
                Some(A::ReverseAndStart),
                Start::Done,
            ),
            (
                Kind::Failback,
                S::Stopped,
                Some(A::ReverseAndPause),
                Start::Done,
            ),
            (
                Kind::Failback,
                S::Stopped,
                None,
                Start::Send(A::TruncateAndRestore),
            ),
            (
                Kind::Failback,
                S::Active,
                Some(A::TruncateAndRestore),
                Start::Await(A::TruncateAndRestore),
            ),
            (
                Kind::Failback,
                S::Active,
                None,
                Start::Send(A::ReverseAndStart),
            ),
            (
                Kind::Failback,
                S::PendingRestore,
                Some(A::TruncateAndRestore),
                Start::Await(A::TruncateAndRestore),
            ),
            // A topic that left the earlier action's path since (someone
            // else acted on it) starts afresh.
            (
                Kind::Failback,
                S::Stopped,
                Some(A::TruncateAndRestore),
                Start::Send(A::TruncateAndRestore),
            ),
            (
                Kind::Switchover,
                S::Active,
                Some(A::Promote),
                Start::Send(A::Promote),
            ),
            (Kind::Switchover, S::Stopped, Some(A::Promote), Start::Done),
            (
                Kind::Switchover,
                S::PendingStopped,
                Some(A::Promote),
                Start::Await(A::Promote),
            ),
        ];
        for (kind, status, earlier, expected) in table {
            assert_eq!(
                resume(*kind, status, *earlier),
                *expected,
                "{kind} from {status} after {earlier:?}"
            );
        }
    }

    #[test]
    fn what_counts_as_acted_on_after_a_lost_answer() {
        use MirrorAction as A;
        let table: &[(MirrorAction, S, bool)] = &[
            (A::Promote, S::Active, false),
            (A::Promote, S::Paused, false),
            (A::Promote, S::PendingStopped, true),
            (A::Promote, S::Stopped, true),
            (A::Failover, S::SourceUnavailable, false),
            (A::Failover, S::Stopped, true),
            (A::TruncateAndRestore, S::Stopped, false),
            (A::TruncateAndRestore, S::PendingSetupForRestore, true),
            (A::TruncateAndRestore, S::PendingRestore, true),
            (A::TruncateAndRestore, S::Active, true),
            (A::ReverseAndStart, S::Active, false),
            (A::ReverseAndStart, S::Stopped, true),
            (A::ReverseAndPause, S::PendingStopped, true),
            (A::Pause, S::Active, false),
            (A::Pause, S::Paused, true),
            (A::Resume, S::Paused, false),
            (A::Resume, S::Active, true),
        ];
        for (action, status, moved) in table {
            assert_eq!(on_path(*action, status), *moved, "{action} in {status}");
        }
    }

    #[test]
    fn when_a_topic_has_arrived() {
        use Arrival::*;
        use MirrorAction as A;
        let table: &[(MirrorAction, S, i64, Option<u64>, Arrival)] = &[
            (A::Promote, S::PendingStopped, 0, None, OnTheWay),
            (A::Promote, S::Stopped, 0, None, Arrived),
            (A::Promote, S::Failed, 0, None, Stuck),
            (A::Promote, S::LinkFailed, 0, None, Stuck),
            (A::Failover, S::Failed, 0, None, OnTheWay),
            (A::Failover, S::Stopped, 9, None, Arrived),
            (
                A::TruncateAndRestore,
                S::PendingRestore,
                0,
                Some(0),
                OnTheWay,
            ),
            (A::TruncateAndRestore, S::Active, 5, Some(0), OnTheWay),
            (A::TruncateAndRestore, S::Active, 5, Some(5), Arrived),
            (A::TruncateAndRestore, S::Active, 5, None, Arrived),
            (A::TruncateAndRestore, S::Failed, 0, Some(0), Stuck),
            (A::ReverseAndStart, S::Stopped, 0, None, Arrived),
            (A::Pause, S::Paused, 3, Some(0), Arrived),
            (A::Resume, S::Active, 3, None, Arrived),
        ];
        for (action, status, lag, max, expected) in table {
            assert_eq!(
                arrival(*action, status, *lag, *max),
                *expected,
                "{action} in {status}, lag {lag}, max {max:?}"
            );
        }
    }

    #[test]
    fn what_a_topic_refused_inside_a_200_means() {
        use Failure::*;
        let table: &[(Option<i64>, Failure)] = &[
            (None, Refused),
            (Some(400), Refused),
            (Some(404), Refused),
            (Some(40002), Refused),
            (Some(40403), Refused),
            (Some(408), Lost),
            (Some(429), Lost),
            (Some(42901), Lost),
            (Some(500), Lost),
            (Some(503), Lost),
            (Some(50003), Lost),
            (Some(50301), Lost),
            (Some(0), Refused),
            (Some(-1), Refused),
            (Some(1), Refused),
        ];
        for (code, expected) in table {
            assert_eq!(item_failure(*code), *expected, "{code:?}");
        }
    }

    #[test]
    fn every_action_ends_where_its_path_does() {
        for a in MirrorAction::ALL {
            assert!(on_path(*a, &a.end_state()), "{a}");
        }
    }
}
