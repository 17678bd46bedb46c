//! `kmirror mirror watch`: the links and their mirror topics refreshed in
//! place, worst first, with each topic's lag trend. On a terminal it takes
//! the alternate screen until `q`, Esc or Ctrl-C (or SIGTERM), and gives
//! the terminal back as it found it whatever happens; elsewhere (a pipe,
//! `-o json`) it prints one snapshot.
//!
//! Each refresh is the SDK's health check without its details: one
//! request per link (two with `--all-links`' listing) plus the pages of
//! its mirror topics, paced by the client's rate limiter. The next refresh
//! starts `--interval` after the last one ended, so a slow or throttled
//! refresh delays the next instead of piling up.

mod screen;
mod view;

use std::io::{IsTerminal, Write};
use std::time::{Duration, SystemTime};

use crossterm::event::{Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::{cursor, execute, terminal};
use futures_util::StreamExt;
use kafka_mirror::dr::fleet::Links;
use kafka_mirror::health::HealthReport;

use crate::args::{Format, WatchArgs};
use crate::exit::CliError;
use crate::output::Out;

/// The shortest `--interval`: faster refreshes would spend the rate limit
/// the runbooks need.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

pub async fn run(
    a: WatchArgs,
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    out: Out,
) -> Result<(), CliError> {
    if a.interval < MIN_INTERVAL {
        return Err(CliError::Usage(format!(
            "--interval {} is too short: at least {}",
            humantime::format_duration(a.interval),
            humantime::format_duration(MIN_INTERVAL)
        )));
    }
    let links = if a.links.is_empty() {
        Links::All
    } else {
        Links::Names(a.links.clone())
    };
    let mut history = view::History::new(a.samples);
    let interactive = out.format == Format::Human
        && std::io::stdout().is_terminal()
        && std::io::stdin().is_terminal();
    if !interactive {
        let snap = history.update(&read(c, cluster, &links).await?);
        return out.result(&snap, |_| {
            screen::lines(&snap, None, false, usize::MAX, usize::MAX).join("\n")
        });
    }
    // On a terminal here: the run's own colour setting (`NO_COLOR`).
    let color = out.colored();
    let _screen = Screen::take().map_err(|e| CliError::Output(e.to_string()))?;
    let mut keys = EventStream::new();
    let mut quit = Box::pin(quit_signal());
    let mut shown: Option<view::Snapshot> = None;
    let mut refreshes = 0;
    loop {
        let started = tokio::time::Instant::now();
        let refresh = read(c, cluster, &links);
        tokio::pin!(refresh);
        // Keys and signals are answered while a refresh is under way too.
        let result = loop {
            tokio::select! {
                r = &mut refresh => break r,
                key = keys.next() => if quits(key) { return Ok(()) },
                () = &mut quit => return Ok(()),
            }
        };
        let error = match result {
            Ok(report) => {
                refreshes += 1;
                shown = Some(history.update(&report));
                None
            }
            Err(e) => Some(
                e.to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        };
        let at = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        let header = screen::Header {
            interval: a.interval,
            refreshes,
            at: at.get(11..19).unwrap_or(&at),
            took: started.elapsed(),
            error: error.as_deref(),
        };
        let draw = |s: &Option<view::Snapshot>| match s {
            Some(s) => draw(s, &header, color),
            None => draw_error(&header),
        };
        draw(&shown).map_err(|e| CliError::Output(e.to_string()))?;
        let next = tokio::time::sleep(a.interval);
        tokio::pin!(next);
        loop {
            tokio::select! {
                () = &mut next => break,
                key = keys.next() => match key {
                    Some(Ok(Event::Resize(..))) => {
                        draw(&shown).map_err(|e| CliError::Output(e.to_string()))?
                    }
                    other => if quits(other) { return Ok(()) },
                },
                () = &mut quit => return Ok(()),
            }
        }
    }
}

/// One refresh: the links' states and tasks, and their mirror topics.
async fn read(
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    links: &Links,
) -> Result<HealthReport, kafka_mirror::Error> {
    c.health_check(cluster, links.clone()).details(false).await
}

/// Whether a terminal event ends the watch: `q`, Esc, Ctrl-C, or the end
/// of the terminal's input.
fn quits(e: Option<std::io::Result<Event>>) -> bool {
    match e {
        None | Some(Err(_)) => true,
        Some(Ok(Event::Key(KeyEvent {
            code,
            modifiers,
            kind: KeyEventKind::Press,
            ..
        }))) => matches!(
            (code, modifiers.contains(KeyModifiers::CONTROL)),
            (KeyCode::Char('q' | 'Q') | KeyCode::Esc, _) | (KeyCode::Char('c'), true)
        ),
        Some(Ok(_)) => false,
    }
}

/// SIGINT or SIGTERM (a raw terminal sends Ctrl-C as a key, not a signal).
async fn quit_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = int.recv() => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn draw(s: &view::Snapshot, header: &screen::Header<'_>, color: bool) -> std::io::Result<()> {
    let (w, h) = size();
    paint(&screen::lines(s, Some(header), color, w, h))
}

fn draw_error(header: &screen::Header<'_>) -> std::io::Result<()> {
    let (w, _) = size();
    let line = format!(
        "kmirror mirror watch: no refresh has succeeded yet: {}",
        header.error.unwrap_or("")
    );
    paint(&[line.chars().take(w).collect()])
}

/// The terminal's size; a terminal that says 0 gets 80x24.
fn size() -> (usize, usize) {
    match terminal::size() {
        Ok((w, h)) if w > 0 && h > 0 => (w.into(), h.into()),
        _ => (80, 24),
    }
}

/// Replaces the screen with `lines` (raw mode: each line ends `\r\n`).
fn paint(lines: &[String]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    execute!(
        out,
        cursor::MoveTo(0, 0),
        terminal::Clear(terminal::ClearType::All)
    )?;
    out.write_all(lines.join("\r\n").as_bytes())?;
    out.flush()
}

/// The terminal in raw mode on its alternate screen, cursor hidden, for
/// as long as this lives: dropping it (a return, an error, a panic) puts
/// the terminal back.
struct Screen;

impl Screen {
    fn take() -> std::io::Result<Self> {
        terminal::enable_raw_mode()?;
        let screen = Screen;
        execute!(
            std::io::stdout(),
            terminal::EnterAlternateScreen,
            cursor::Hide
        )?;
        Ok(screen)
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = execute!(
            std::io::stdout(),
            cursor::Show,
            terminal::LeaveAlternateScreen
        );
        let _ = terminal::disable_raw_mode();
    }
}
