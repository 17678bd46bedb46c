//! The standalone binary: flags, usage, exit codes, a port in use.

use std::process::{Command, Stdio};

fn emulator(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kafka-mirror-emulator"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

#[test]
fn bad_flags_print_the_usage_and_exit_2() {
    for (args, why) in [
        (&["--bogus"][..], "unexpected argument '--bogus'"),
        (
            &["--port", "http"],
            "invalid value 'http' for '--port <PORT>'",
        ),
        (&["--page-size", "0"], "a whole number above 0, not `0`"),
        (
            &["--latency", "soon"],
            "a duration such as 500ms, 3s or 1m, not `soon`",
        ),
    ] {
        let out = emulator(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.starts_with("error: ") && err.contains(why),
            "{args:?}: {err}"
        );
        assert!(err.contains("try '--help'"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let unknown = String::from_utf8_lossy(&emulator(&["--bogus"]).stderr).to_string();
    assert!(
        unknown.contains("Usage: kafka-mirror-emulator [OPTIONS]"),
        "{unknown}"
    );
    // A seed file that cannot be read is named, after the flags parsed.
    let out = emulator(&["--seed", "/nonexistent/seed.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("kafka-mirror-emulator: ") && err.contains("/nonexistent/seed.json"),
        "{err}"
    );
}

#[test]
fn help_is_a_success() {
    let out = emulator(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--promote-delay <DURATION>"), "{help}");
    assert!(help.contains("--seed <FILE>"), "{help}");
}

#[test]
fn a_port_in_use_is_named() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = emulator(&["--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("127.0.0.1:{port}")) && err.contains("already in use"),
        "{err}"
    );
}

#[test]
fn a_seed_file_is_served() {
    let dir = std::env::temp_dir().join(format!("kme-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"{"links": [{"cluster": "c1", "link": "l1", "source": "c0", "mirrors": [{"topic": "t1"}]}]}"#,
    )
    .unwrap();
    // Port 0 and the address it prints: a port chosen here and freed
    // could be taken by a parallel test before the emulator binds it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-mirror-emulator"))
        .args(["--port", "0", "--seed", seed.to_str().unwrap(), "--no-auth"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kept open until the end: the emulator prints more lines, and a
    // closed pipe would fail them.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut first).unwrap();
    let addr = first
        .trim()
        .rsplit_once(" on http://")
        .map(|(_, a)| a.to_string())
        .unwrap_or_else(|| panic!("no address in {first:?}"));
    let body = {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.write_all(b"GET /kafka/v3/clusters/c1/links/l1/mirrors HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
            .unwrap();
        let mut text = String::new();
        s.read_to_string(&mut text).unwrap();
        text
    };
    let _ = child.kill();
    let _ = child.wait();
    drop(stdout);
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.contains("\"mirror_topic_name\":\"t1\""), "{body}");
}
