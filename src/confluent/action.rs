//! The seven `mirrors:*` actions: one definition for the SDK, the DR
//! runbooks, `kmirror` and the emulator.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::Client;
use super::types::{AlterMirrorStatusResponseDataList, AlterMirrorsRequestData, MirrorTopicStatus};
use crate::Error;

/// A `mirrors:*` action on mirror topics of a link.
///
/// ```
/// use kafka_mirror::confluent::MirrorAction;
///
/// let a: MirrorAction = "reverse-and-start".parse().unwrap();
/// assert_eq!(a, MirrorAction::ReverseAndStart);
/// assert_eq!(a.path_suffix(), "mirrors:reverse-and-start-mirror");
/// assert_eq!(a.to_string(), "reverse-and-start");
/// assert!("promte".parse::<MirrorAction>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum MirrorAction {
    /// `mirrors:promote`: stop mirroring once caught up, keep the data.
    Promote,
    /// `mirrors:failover`: stop mirroring now, whatever the lag.
    Failover,
    /// `mirrors:pause`.
    Pause,
    /// `mirrors:resume`.
    Resume,
    /// `mirrors:reverse-and-start-mirror`.
    ReverseAndStart,
    /// `mirrors:reverse-and-pause-mirror`.
    ReverseAndPause,
    /// `mirrors:truncate-and-restore`.
    TruncateAndRestore,
}

impl MirrorAction {
    /// Every action.
    pub const ALL: &'static [MirrorAction] = &[
        MirrorAction::Promote,
        MirrorAction::Failover,
        MirrorAction::Pause,
        MirrorAction::Resume,
        MirrorAction::ReverseAndStart,
        MirrorAction::ReverseAndPause,
        MirrorAction::TruncateAndRestore,
    ];

    /// The end of its path: `mirrors:promote` for [`MirrorAction::Promote`].
    pub fn path_suffix(self) -> &'static str {
        match self {
            MirrorAction::Promote => "mirrors:promote",
            MirrorAction::Failover => "mirrors:failover",
            MirrorAction::Pause => "mirrors:pause",
            MirrorAction::Resume => "mirrors:resume",
            MirrorAction::ReverseAndStart => "mirrors:reverse-and-start-mirror",
            MirrorAction::ReverseAndPause => "mirrors:reverse-and-pause-mirror",
            MirrorAction::TruncateAndRestore => "mirrors:truncate-and-restore",
        }
    }

    /// The status a topic ends in after it.
    pub fn end_state(self) -> MirrorTopicStatus {
        use MirrorTopicStatus as S;
        match self {
            MirrorAction::Pause => S::Paused,
            MirrorAction::Resume | MirrorAction::TruncateAndRestore => S::Active,
            MirrorAction::Promote
            | MirrorAction::Failover
            | MirrorAction::ReverseAndStart
            | MirrorAction::ReverseAndPause => S::Stopped,
        }
    }

    /// Its name as `kmirror` and Confluent's CLI spell it: `promote`,
    /// `reverse-and-start`...
    pub fn name(self) -> &'static str {
        match self {
            MirrorAction::Promote => "promote",
            MirrorAction::Failover => "failover",
            MirrorAction::Pause => "pause",
            MirrorAction::Resume => "resume",
            MirrorAction::ReverseAndStart => "reverse-and-start",
            MirrorAction::ReverseAndPause => "reverse-and-pause",
            MirrorAction::TruncateAndRestore => "truncate-and-restore",
        }
    }
}

impl fmt::Display for MirrorAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of the seven actions.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not a mirror action (promote, failover, pause, resume, reverse-and-start, reverse-and-pause, truncate-and-restore)"
)]
pub struct UnknownMirrorAction(pub String);

/// From its [`name`](MirrorAction::name) or its path's last segment, with
/// or without `mirrors:` (`reverse-and-start-mirror`); nothing else.
impl FromStr for MirrorAction {
    type Err = UnknownMirrorAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bare = s.strip_prefix("mirrors:").unwrap_or(s);
        MirrorAction::ALL
            .iter()
            .copied()
            .find(|a| a.name() == bare || a.path_suffix()["mirrors:".len()..] == *bare)
            .ok_or_else(|| UnknownMirrorAction(s.to_owned()))
    }
}

impl Client {
    /// Sends one `mirrors:*` request for `action` (no retry of the POST
    /// beyond what the client's policy allows, no read-back, no wait): the
    /// building block of [`Client::mirror_action`], for callers that want
    /// the answer as it is. `validate_only`: the service checks and changes
    /// nothing. Truncate-and-restore asks for the partition-level
    /// truncation data.
    ///
    /// # Errors
    ///
    /// As any call ([`Error`]). The service answers 200 even when some
    /// topics failed: see each item's `error_code`.
    pub async fn alter_mirrors(
        &self,
        cluster: &str,
        link: &str,
        action: MirrorAction,
        body: AlterMirrorsRequestData,
        validate_only: bool,
    ) -> Result<AlterMirrorStatusResponseDataList, Error> {
        // The seven actions' builders differ only in their method.
        macro_rules! alter {
            ($method:ident $(, $extra:ident)?) => {
                self.$method()
                    .cluster_id(cluster)
                    .link_name(link)
                    .validate_only(validate_only)
                    $(.$extra(true))?
                    .body(body)
                    .send()
                    .await
            };
        }
        let answer = match action {
            MirrorAction::Promote => alter!(promote_mirror_topics),
            MirrorAction::Failover => alter!(failover_mirror_topics),
            MirrorAction::Pause => alter!(pause_mirror_topics),
            MirrorAction::Resume => alter!(resume_mirror_topics),
            MirrorAction::ReverseAndStart => alter!(reverse_and_start_mirror_topics),
            MirrorAction::ReverseAndPause => alter!(reverse_and_pause_mirror_topics),
            MirrorAction::TruncateAndRestore => alter!(
                truncate_and_restore_mirror_topics,
                include_partition_level_truncation_data
            ),
        }?;
        Ok(answer.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_parses_from_its_name_and_its_path_and_nothing_else() {
        for a in MirrorAction::ALL {
            assert_eq!(a.name().parse::<MirrorAction>(), Ok(*a));
            assert_eq!(a.path_suffix().parse::<MirrorAction>(), Ok(*a));
            let last = &a.path_suffix()["mirrors:".len()..];
            assert_eq!(last.parse::<MirrorAction>(), Ok(*a));
            assert_eq!(a.to_string(), a.name());
            assert_eq!(
                serde_json::to_value(a).unwrap(),
                serde_json::json!(a.name())
            );
        }
        for bad in ["", "Promote", "promte", "reverse", "mirrors:", "promote "] {
            assert!(bad.parse::<MirrorAction>().is_err(), "{bad:?}");
        }
        assert_eq!(MirrorAction::ALL.len(), 7);
    }
}
