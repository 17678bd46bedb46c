//! The v1 waiter: mirrors of a Kafka Connect cluster reaching a status.

use std::collections::BTreeMap;

use super::Client;
use super::types::MirrorStatus;
use crate::wait::{PollFuture, Wait, reached_or_final, record};

/// Waits for Instaclustr mirrors to reach a status; built by
/// [`Client::wait_for_mirrors`], run by `.await`.
///
/// `FAILED` is a terminal failure (unless it is the target); a mirror that
/// answers 404 is [`crate::wait::Outcome::Missing`]. Each poll gets each
/// mirror once.
pub type WaitForMirrors<'a> = Wait<'a, MirrorStatus>;

impl<'a> Wait<'a, MirrorStatus> {
    /// Waits for these mirror ids only (default: every mirror of the
    /// cluster found at the first poll).
    pub fn mirrors<I, T>(self, ids: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: Into<String>,
    {
        self.items(ids)
    }
}

/// Reached, or `FAILED`, which a mirror does not leave by itself.
fn decide(status: &MirrorStatus, target: &MirrorStatus) -> Option<bool> {
    reached_or_final(status, target, &[MirrorStatus::Failed])
}

impl Client {
    /// Waits until mirrors of the Kafka Connect cluster `cluster` reach a
    /// status (default `IN_SYNC`). Configure with the setters of [`Wait`],
    /// then `.await` it.
    ///
    /// # Errors
    ///
    /// The waiter returns an error that polling again would not change (a
    /// 4xx other than 404, 408 and 429), or the last poll's error when no
    /// poll succeeded before the timeout. Other failed polls are counted in
    /// the [`crate::wait::Report`] and polled again; a mirror that fails
    /// or times out is an [`crate::wait::Outcome`], not an error.
    pub fn wait_for_mirrors(&self, cluster: uuid::Uuid) -> WaitForMirrors<'_> {
        let poll = Box::new(move |named: Option<Vec<String>>| {
            let fut: PollFuture<'_, MirrorStatus> = Box::pin(async move {
                let ids = match named {
                    Some(ids) => ids,
                    None => {
                        let list = self.list_mirrors().cluster_id(cluster).send().await?;
                        list.into_inner()
                            .mirrors
                            .into_iter()
                            .filter_map(|m| m.id)
                            .collect()
                    }
                };
                let mut states = BTreeMap::new();
                for id in ids {
                    let got = self
                        .get_mirror()
                        .cluster_id(cluster)
                        .mirror_id(id.clone())
                        .send()
                        .await
                        .map(|m| m.into_inner().status);
                    record(&mut states, id, got)?;
                }
                Ok(states)
            });
            fut
        });
        Wait::new(MirrorStatus::InSync, poll, decide)
    }
}
