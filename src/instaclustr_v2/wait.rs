//! The v2 waiter: mirrors reaching a status, one by id or a cluster's.

use std::collections::BTreeMap;

use super::Client;
use super::types::MirrorStatus;
use crate::Error;
use crate::wait::{PollFn, PollFuture, Wait, reached_or_final, record};

/// Waits for mirrors of Instaclustr's v2 API to reach a status; built by
/// [`Client::wait_for_mirrors`] or [`Client::wait_for_mirror`], run by
/// `.await`.
///
/// `FAILED` is a terminal failure (unless it is the target); a mirror that
/// answers 404 is [`crate::wait::Outcome::Missing`]; `OUT_OF_SYNC` and
/// `STALE_TOPIC` are waited through, as they can pass. Each poll gets each
/// mirror once.
pub type WaitForMirrorsV2<'a> = Wait<'a, MirrorStatus>;

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
    /// 4xx other than 404, 408 and 429, or a mirror id that is not a
    /// UUID), or the last poll's error when no poll succeeded before the
    /// timeout. Other failed polls are counted in the
    /// [`crate::wait::Report`] and polled again; a mirror that fails or
    /// times out is an [`crate::wait::Outcome`], not an error.
    pub fn wait_for_mirrors(&self, cluster: uuid::Uuid) -> WaitForMirrorsV2<'_> {
        Wait::new(MirrorStatus::InSync, self.poll(Some(cluster)), decide)
    }

    /// Waits until the mirror `mirror_id` is `IN_SYNC` (or another status
    /// given with `.until(..)`), `FAILED`, or the timeout passes.
    ///
    /// ```no_run
    /// # async fn run(i: kafka_mirror::instaclustr_v2::Client, id: uuid::Uuid) -> Result<(), kafka_mirror::Error> {
    /// let report = i.wait_for_mirror(id).timeout(std::time::Duration::from_secs(600)).await?;
    /// assert!(report.all_reached(), "{:?}", report.not_reached());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Self::wait_for_mirrors`].
    pub fn wait_for_mirror(&self, mirror_id: uuid::Uuid) -> WaitForMirrorsV2<'_> {
        Wait::new(MirrorStatus::InSync, self.poll(None), decide).items([mirror_id.to_string()])
    }

    /// One poll: the named mirrors, or else `cluster`'s.
    fn poll(&self, cluster: Option<uuid::Uuid>) -> PollFn<'_, MirrorStatus> {
        Box::new(move |named: Option<Vec<String>>| {
            let fut: PollFuture<'_, MirrorStatus> = Box::pin(async move {
                let ids = match (named, cluster) {
                    (Some(ids), _) => ids,
                    (None, Some(cluster)) => {
                        let lists = self.list_mirrors().cluster_id(cluster).send().await?;
                        lists
                            .into_inner()
                            .into_iter()
                            .flat_map(|l| l.mirrors)
                            .filter_map(|m| m.id.map(|id| id.to_string()))
                            .collect()
                    }
                    (None, None) => Vec::new(),
                };
                let mut states = BTreeMap::new();
                for id in ids {
                    let uuid = uuid::Uuid::parse_str(&id).map_err(|_| {
                        Error::InvalidArgument(format!("mirror id `{id}` is not a UUID"))
                    })?;
                    let got = self
                        .get_mirror()
                        .mirror_id(uuid)
                        .send()
                        .await
                        .map(|m| m.into_inner().status);
                    record(&mut states, id, got)?;
                }
                Ok(states)
            });
            fut
        })
    }
}
