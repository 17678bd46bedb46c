//! The Confluent waiter: mirror topics of a link reaching a status.

use std::collections::BTreeMap;

use super::Client;
use super::types::MirrorTopicStatus;
use crate::wait::{Wait, reached_or_final};

/// Waits for mirror topics of a link to reach a status; built by
/// [`Client::wait_for_mirror_topics`], run by `.await`.
///
/// A topic in `FAILED` or `LINK_FAILED`, or `STOPPED` while the target is
/// another status, has failed (a stopped mirror does not resume by
/// itself); a topic that is not a mirror of the link is
/// [`crate::wait::Outcome::Missing`]. Each poll lists the link's mirror
/// topics once, following pages.
pub type WaitForMirrorTopics<'a> = Wait<'a, MirrorTopicStatus>;

impl<'a> Wait<'a, MirrorTopicStatus> {
    /// Waits for these topics only (default: every mirror topic of the link
    /// found at the first poll).
    pub fn topics<I, T>(self, names: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.items(names)
    }
}

/// Reached, or a state a mirror topic does not leave by itself.
fn decide(status: &MirrorTopicStatus, target: &MirrorTopicStatus) -> Option<bool> {
    use MirrorTopicStatus as S;
    reached_or_final(status, target, &[S::Failed, S::LinkFailed, S::Stopped])
}

impl Client {
    /// Waits until mirror topics of `link` on `cluster` reach a status
    /// (default `STOPPED`, what promote and failover lead to). Configure
    /// with the setters of [`Wait`], then `.await` it.
    ///
    /// # Errors
    ///
    /// The waiter returns an error that polling again would not change (a
    /// 4xx such as an unknown link, other than 408 and 429), or the last
    /// poll's error when no poll succeeded before the timeout. Other failed
    /// polls are counted in the [`crate::wait::Report`] and polled again;
    /// a topic that fails or times out is an [`crate::wait::Outcome`], not
    /// an error.
    pub fn wait_for_mirror_topics(
        &self,
        cluster: impl Into<String>,
        link: impl Into<String>,
    ) -> WaitForMirrorTopics<'_> {
        let (cluster, link) = (cluster.into(), link.into());
        let poll = Box::new(move |_names: Option<Vec<String>>| {
            let request = self
                .list_mirror_topics()
                .cluster_id(cluster.clone())
                .link_name(link.clone());
            let fut: crate::wait::PollFuture<'_, MirrorTopicStatus> = Box::pin(async move {
                let all = request.collect_up_to(usize::MAX).await?;
                Ok(all
                    .into_iter()
                    .map(|t| (t.mirror_topic_name, t.mirror_status))
                    .collect::<BTreeMap<_, _>>())
            });
            fut
        });
        Wait::new(MirrorTopicStatus::Stopped, poll, decide)
    }
}
