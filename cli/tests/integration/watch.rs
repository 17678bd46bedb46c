//! `kmirror mirror watch` in a pseudo-terminal, as a person runs it: it
//! draws, refreshes, quits on `q` or Ctrl-C, and gives the terminal back
//! (cursor shown, main screen, line mode); and, not on a terminal, one
//! snapshot.
#![cfg(unix)]

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kafka_mirror_test_support::cli as support;

use support::{DR, Emu, SICK, with_a_sick_link};

/// A pseudo-terminal of `cols` x `rows`: (master, slave).
fn pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two new descriptors, which we then own.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both descriptors were just opened and are owned by no one else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// `kmirror ARGS` on the terminal `slave`, as its controlling terminal.
fn spawn_on(emu: &Emu, slave: &OwnedFd, args: &[&str]) -> Child {
    let (user, secret) = emu.emulator.credentials().unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("kmirror"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .env("HOME", emu.home.path())
        .env("KAFKA_MIRROR_URL", emu.url())
        .env("KAFKA_MIRROR_CLUSTER_ID", DR)
        .env("KAFKA_MIRROR_API_KEY", user)
        .env("KAFKA_MIRROR_API_SECRET", secret)
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave.try_clone().unwrap()));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd.spawn().unwrap()
}

/// Everything the program writes to the terminal, read as it comes.
#[derive(Clone, Default)]
struct Screen(Arc<Mutex<Vec<u8>>>);

impl Screen {
    fn read_from(master: &OwnedFd) -> Self {
        let screen = Screen::default();
        let mut file = std::fs::File::from(master.try_clone().unwrap());
        let into = screen.0.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = file.read(&mut buf) {
                if n == 0 {
                    break;
                }
                into.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        screen
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Waits until the output holds `what` (or fails after 60 s).
    fn wait_for(&self, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.text().contains(what) {
            assert!(
                Instant::now() < deadline,
                "never saw {what:?} in:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// The exit code, once the program has ended (or a failure after 30 s).
fn exit_code(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("kmirror mirror watch did not quit");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whether the terminal is in line mode with echo, as a shell wants it.
fn line_mode(slave: &OwnedFd) -> bool {
    // SAFETY: a zeroed termios is a valid value for tcgetattr to fill.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: the descriptor is open and `t` is valid for writes.
    assert_eq!(unsafe { libc::tcgetattr(slave.as_raw_fd(), &mut t) }, 0);
    t.c_lflag & libc::ICANON != 0 && t.c_lflag & libc::ECHO != 0
}

const ENTER_ALTERNATE: &str = "\x1b[?1049h";
const LEAVE_ALTERNATE: &str = "\x1b[?1049l";
const HIDE_CURSOR: &str = "\x1b[?25l";
const SHOW_CURSOR: &str = "\x1b[?25h";

fn quits_on(key: &[u8]) {
    let emu = Emu::start(with_a_sick_link);
    let (master, slave) = pty(120, 30);
    assert!(line_mode(&slave));
    let screen = Screen::read_from(&master);
    let mut child = spawn_on(&emu, &slave, &["mirror", "watch", "--interval", "1s"]);
    // Drawn, then drawn again by a refresh.
    screen.wait_for("refresh 1 at");
    screen.wait_for("refresh 2 at");
    let text = screen.text();
    assert!(text.contains(ENTER_ALTERNATE) && text.contains(HIDE_CURSOR));
    assert!(!line_mode(&slave), "raw mode while watching");
    for expected in [
        "kmirror mirror watch  lkc-dr  every 1s",
        "q quits",
        "LINK           STATE   TASK ERRORS",
        "sick           ACTIVE  AclSync IN_ERROR: AUTHORIZATION_FAILED",
        " TOPIC      LINK           STATUS  LAG",
        " audit      sick           FAILED  3",
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
    // Worst first: the failed mirror, then the largest lag.
    let audit = text.rfind(" audit ").unwrap();
    let clicks = text.rfind("clicks ").unwrap();
    let orders = text.rfind(" orders ").unwrap();
    assert!(audit < clicks && clicks < orders, "{text}");

    let mut input = std::fs::File::from(master.try_clone().unwrap());
    input.write_all(key).unwrap();
    assert_eq!(exit_code(&mut child), Some(0));
    screen.wait_for(LEAVE_ALTERNATE);
    let end = screen.text();
    let last_draw = end.rfind("refresh ").unwrap();
    let restored = &end[last_draw..];
    assert!(restored.contains(SHOW_CURSOR), "cursor shown again");
    assert!(restored.contains(LEAVE_ALTERNATE), "main screen back");
    assert!(line_mode(&slave), "line mode and echo back");
}

#[test]
fn watch_draws_refreshes_and_quits_on_q_giving_the_terminal_back() {
    quits_on(b"q");
}

#[test]
fn watch_quits_on_ctrl_c_too() {
    quits_on(b"\x03");
}

#[test]
fn not_on_a_terminal_watch_prints_one_snapshot() {
    let emu = Emu::start(with_a_sick_link);
    let out = emu
        .kmirror()
        .args(["mirror", "watch", "--link", SICK])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "LINK  STATE   TASK ERRORS");
    assert!(lines[1].starts_with("sick  ACTIVE  AclSync IN_ERROR: AUTHORIZATION_FAILED"));
    assert_eq!(lines[3], " TOPIC   LINK  STATUS  LAG      TREND");
    assert_eq!(lines[4], " audit   sick  FAILED  3        ▁");
    assert!(lines[5].starts_with(" clicks  sick  ACTIVE  4"), "{text}");
    assert_eq!(lines.len(), 6, "{text}");

    let snap = emu.json_of(&["mirror", "watch", "--link", SICK]);
    assert_eq!(snap["cluster"], DR);
    assert_eq!(snap["links"][0]["link"], SICK);
    assert_eq!(snap["topics"][0]["topic"], "audit");
    assert_eq!(snap["topics"][0]["status"], "FAILED");
    assert_eq!(snap["topics"][1]["trend"].as_array().unwrap().len(), 1);

    emu.kmirror()
        .args(["mirror", "watch", "--interval", "100ms"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "--interval 100ms is too short: at least 1s",
        ));
}
