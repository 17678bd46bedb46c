//! Lazy pagination through `metadata.next`, for every Confluent list
//! operation.
//!
//! Which operations page is read from the spec at build time (a 200 body
//! with a `data` array and `metadata.next`), so a list operation added to a
//! refreshed spec pages with no new code. Their builders get:
//!
//! - `.pages()`: a stream of whole pages;
//! - `.stream()`: a stream of items, page after page;
//! - `.collect_up_to(n)`: at most `n` items in a `Vec`;
//! - `.max_pages(n)` / `.max_items(n)` on the streams, to stop early;
//! - `.prefetch(1)` on the streams, to fetch the next page while the
//!   current one is used (at most two pages in memory).
//!
//! Nothing is sent until the stream is polled, at most one page is held at a
//! time, and dropping the stream sends nothing more. Every page request
//! goes through the client's auth, retry and rate limit.
//!
//! A `next` link must have the scheme, host and port of the client's base
//! URL, or the stream ends with [`PaginationError::CrossOrigin`] and nothing,
//! least of all credentials, is sent to it. A relative link is resolved
//! against the base URL; a link already fetched ends the stream with
//! [`PaginationError::Loop`].
//!
//! ```no_run
//! use futures_util::TryStreamExt;
//! # async fn run(c: kafka_mirror::confluent::Client) -> Result<(), kafka_mirror::Error> {
//! let mut topics = c.list_all_mirror_topics().cluster_id("lkc-dr").stream();
//! while let Some(topic) = topics.try_next().await? {
//!     println!("{} {}", topic.mirror_topic_name, topic.mirror_status);
//! }
//! let first_500 = c.list_links().cluster_id("lkc-dr").collect_up_to(500).await?;
//! # Ok(()) }
//! ```

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use progenitor_client::{ClientInfo, ResponseValue};
use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderValue};
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::transport::Inner;

/// A page of a list answer, implemented for the generated list types.
/// Sealed: which types page is read from the spec at build time.
pub trait Page: DeserializeOwned + Send + 'static + sealed::Sealed {
    /// One element of `data`.
    type Item: Send + 'static;
    /// `metadata.next`, if any.
    fn next_link(&self) -> Option<&str>;
    /// `metadata.self`.
    fn self_link(&self) -> Option<&str>;
    /// The page's items.
    fn into_items(self) -> Vec<Self::Item>;
}

pub use crate::error::PaginationError;

/// What the request of the first page returns.
pub(crate) type FirstPage<'a, P> =
    Pin<Box<dyn Future<Output = Result<ResponseValue<P>, Error>> + Send + 'a>>;

pub(crate) mod sealed {
    /// Keeps [`super::Page`] to the generated list types.
    pub trait Sealed {}
}

/// A lazy stream of pages.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<'a, P: Page> {
    inner: BoxStream<'a, Result<P, Error>>,
}

impl<'a, P: Page> Pages<'a, P> {
    /// Pages of the operation whose first request is `first`, following
    /// links through `client`.
    pub(crate) fn new<C>(client: &'a C, operation: &'static str, first: FirstPage<'a, P>) -> Self
    where
        C: ClientInfo<Inner> + Sync,
    {
        let state = State::<'a, P> {
            step: Step::Init(first),
            seen: HashSet::new(),
            base: Url::parse(client.baseurl()).ok(),
        };
        let inner = futures_util::stream::unfold(state, move |mut state| async move {
            let page = match std::mem::replace(&mut state.step, Step::Done) {
                Step::Init(first) => first.await.map(ResponseValue::into_inner),
                Step::Next(url) => {
                    fetch::<P>(client.client(), client.inner(), url, operation).await
                }
                // A bad link is reported after the page that carried it,
                // so none of that page's items is lost.
                Step::Failed(e) => return Some((Err(e), state)),
                Step::Done => return None,
            };
            match page {
                Ok(page) => {
                    state.step = match state.follow(&page) {
                        Ok(Some(url)) => Step::Next(url),
                        Ok(None) => Step::Done,
                        Err(e) => Step::Failed(e),
                    };
                    Some((Ok(page), state))
                }
                // The stream ends after an error (the step is Done).
                Err(e) => Some((Err(e), state)),
            }
        });
        Self {
            inner: inner.boxed(),
        }
    }

    /// Stops after `n` pages.
    pub fn max_pages(self, n: usize) -> Self {
        Self {
            inner: self.inner.take(n).boxed(),
        }
    }

    /// Fetches the next page while the caller works on the current one:
    /// as soon as a page is handed out, the request for the next is sent.
    /// At most two pages are in memory (the current one and the next); the
    /// origin, loop and error rules are unchanged, and an error on the next
    /// page comes after the current page. `0` turns it off; any other value
    /// prefetches one page.
    ///
    /// The next request is started, not run in a task of its own: if it has
    /// to wait (for a rate-limit permit, or before a retry), that wait goes
    /// on when the stream is next polled.
    pub fn prefetch(self, pages: usize) -> Self {
        if pages == 0 {
            return self;
        }
        Self {
            inner: Prefetch {
                inner: self.inner,
                next: None,
                done: false,
            }
            .boxed(),
        }
    }

    /// The items of the pages, one after the other.
    pub fn items(self) -> Items<'a, P> {
        Items {
            pages: self,
            current: VecDeque::new(),
            left: None,
            done: false,
        }
    }
}

impl<P: Page> std::fmt::Debug for Pages<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("page", &std::any::type_name::<P>())
            .finish_non_exhaustive()
    }
}

impl<P: Page> Stream for Pages<'_, P> {
    type Item = Result<P, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

/// A stream that, each time it hands out an item, polls the stream it wraps
/// once more, so the next item's work (a page request) starts while the
/// caller works on this one. It holds at most one item ahead.
struct Prefetch<S: Stream> {
    inner: S,
    next: Option<S::Item>,
    done: bool,
}

impl<S: Stream + Unpin> Prefetch<S> {
    /// Starts (or moves on) the next item, keeping it if it is ready. Called
    /// only once the item held ahead has been handed out.
    fn start_next(&mut self, cx: &mut Context<'_>) {
        if !self.done {
            match self.inner.poll_next_unpin(cx) {
                Poll::Ready(Some(item)) => self.next = Some(item),
                Poll::Ready(None) => self.done = true,
                Poll::Pending => {}
            }
        }
    }
}

// Nothing inside is pinned: the wrapped stream is `Unpin`, and the item kept
// ahead is only moved.
impl<S: Stream + Unpin> Unpin for Prefetch<S> {}

impl<S: Stream + Unpin> Stream for Prefetch<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        let item = match self.next.take() {
            Some(item) => item,
            None if self.done => return Poll::Ready(None),
            None => match self.inner.poll_next_unpin(cx) {
                Poll::Ready(Some(item)) => item,
                Poll::Ready(None) => {
                    self.done = true;
                    return Poll::Ready(None);
                }
                Poll::Pending => return Poll::Pending,
            },
        };
        self.start_next(cx);
        Poll::Ready(Some(item))
    }
}

/// A lazy stream of items, fetching the next page only when the current one
/// is used up.
#[must_use = "streams do nothing unless polled"]
pub struct Items<'a, P: Page> {
    pages: Pages<'a, P>,
    current: VecDeque<P::Item>,
    left: Option<usize>,
    done: bool,
}

impl<'a, P: Page> Items<'a, P> {
    /// Stops after `n` items (no page is fetched beyond the one holding the nth).
    pub fn max_items(mut self, n: usize) -> Self {
        self.left = Some(n);
        self
    }

    /// Stops after `n` pages.
    pub fn max_pages(mut self, n: usize) -> Self {
        self.pages = self.pages.max_pages(n);
        self
    }

    /// Fetches the next page while the current page's items are used (see
    /// [`Pages::prefetch`]).
    pub fn prefetch(mut self, pages: usize) -> Self {
        self.pages = self.pages.prefetch(pages);
        self
    }

    /// Collects the items, at most `max_items` (and `max_items` of this
    /// stream if smaller).
    ///
    /// # Errors
    ///
    /// The first error of a page request ([`Error::Api`],
    /// [`Error::Transport`], [`Error::Decode`], after the client's retries),
    /// or [`Error::Pagination`] when a `next` link is refused; the items
    /// collected before it are dropped (use [`Items`] as a stream to keep
    /// them).
    pub async fn collect_up_to(self, max_items: usize) -> Result<Vec<P::Item>, Error> {
        let mut out = Vec::new();
        let mut items = self.max_items(max_items);
        while let Some(item) = items.next().await {
            out.push(item?);
        }
        Ok(out)
    }
}

impl<P: Page> Unpin for Items<'_, P> {}

impl<P: Page> std::fmt::Debug for Items<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("page", &std::any::type_name::<P>())
            .field("buffered", &self.current.len())
            .field("left", &self.left)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<P: Page> Stream for Items<'_, P> {
    type Item = Result<P::Item, Error>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if self.done || self.left == Some(0) {
                return Poll::Ready(None);
            }
            if let Some(item) = self.current.pop_front() {
                if let Some(n) = self.left.as_mut() {
                    *n -= 1;
                }
                return Poll::Ready(Some(Ok(item)));
            }
            match self.pages.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    self.done = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(e))) => {
                    self.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(Some(Ok(page))) => self.current = page.into_items().into(),
            }
        }
    }
}

/// What the page stream does next.
enum Step<'a, P> {
    /// Send the operation's own request, for the first page.
    Init(FirstPage<'a, P>),
    /// Fetch the page at this (checked) `next` link.
    Next(Url),
    /// Report the last page's bad `next` link, then end.
    Failed(Error),
    /// Nothing more: the last page had no `next`, or a request failed.
    Done,
}

struct State<'a, P> {
    step: Step<'a, P>,
    /// Every page link fetched or announced as `self`.
    seen: HashSet<String>,
    base: Option<Url>,
}

impl<P: Page> State<'_, P> {
    /// The link to fetch after `page`, checked; `None` on the last page.
    fn follow(&mut self, page: &P) -> Result<Option<Url>, Error> {
        if let Some(this) = page.self_link().and_then(|s| self.resolve(s).ok()) {
            self.seen.insert(this.to_string());
        }
        let Some(next) = page.next_link().map(str::trim).filter(|n| !n.is_empty()) else {
            return Ok(None);
        };
        let url = self
            .resolve(next)
            .map_err(|reason| PaginationError::BadLink {
                next: next.to_string(),
                reason,
            })?;
        let base = self.base.as_ref().ok_or_else(|| PaginationError::BadLink {
            next: next.to_string(),
            reason: "the client's base URL does not parse".into(),
        })?;
        if !crate::transport::same_origin(base, &url) {
            return Err(PaginationError::CrossOrigin {
                next: next.to_string(),
            }
            .into());
        }
        if !self.seen.insert(url.to_string()) {
            return Err(PaginationError::Loop {
                next: next.to_string(),
            }
            .into());
        }
        Ok(Some(url))
    }

    fn resolve(&self, link: &str) -> Result<Url, String> {
        Url::options()
            .base_url(self.base.as_ref())
            .parse(link)
            .map_err(|e| e.to_string())
    }
}

/// The largest body buffer reserved up front from a `Content-Length`: 64 MiB.
/// Only a capacity hint (the buffer grows past it if a body is larger), so
/// no test can see its exact value; written as a literal.
const MAX_PRESIZE: u64 = 67_108_864;

/// Fetches a follow-up page through the client's transport.
async fn fetch<P: Page>(
    http: &reqwest::Client,
    inner: &Inner,
    url: Url,
    operation: &'static str,
) -> Result<P, Error> {
    let mut request = reqwest::Request::new(reqwest::Method::GET, url);
    request
        .headers_mut()
        .insert(ACCEPT, HeaderValue::from_static("application/json"));
    let (mut response, sent) = match inner.execute(http, request, operation).await {
        Ok(answer) => answer,
        Err(e) => {
            crate::call::observe(e.request(), e.status());
            return Err(e);
        }
    };
    let status = response.status();
    crate::call::observe(Some(&sent), Some(status));
    // Read chunk by chunk into one buffer sized from Content-Length: the
    // chunks and a contiguous copy are never alive together, so a page costs
    // one body in memory however it was split on the wire.
    let capacity = response.content_length().unwrap_or(0).min(MAX_PRESIZE) as usize;
    let mut bytes = Vec::with_capacity(capacity);
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(e) => return Err(Error::transport(e, sent)),
        }
    }
    if !status.is_success() {
        return Err(Error::UnexpectedStatus {
            status,
            request: Box::new(sent),
        });
    }
    serde_json::from_slice(&bytes).map_err(|source| Error::decode(status, &bytes, sent, source))
}
