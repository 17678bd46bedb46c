//! An emulator for the CLI's tests, and `kmirror` configured for it.

use std::time::Duration;

use assert_cmd::Command;
use kafka_mirror_emulator::{Behaviour, Emulator, EmulatorBuilder};

pub const DR: &str = "lkc-dr";
pub const LINK: &str = "primary-to-dr";
pub const CONNECT: &str = "0c7067d6-c70a-11ea-87d0-0242ac130003";

/// An emulator on its own runtime, for tests that run the binary (which
/// cannot share a paused clock: every state change here is immediate).
pub struct Emu {
    pub emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
    /// `HOME` and `XDG_CONFIG_HOME` of the commands: no user config leaks in.
    pub home: tempdir::TempDir,
}

impl Emu {
    pub fn start(configure: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let behaviour = Behaviour {
            promote_delay: Duration::ZERO,
            restore_delay: Duration::ZERO,
            instaclustr_sync_delay: Duration::from_secs(3600),
            ..Behaviour::default()
        };
        let builder = configure(
            Emulator::builder()
                .behaviour(behaviour)
                .link(DR, LINK, "lkc-primary")
                .mirror(DR, LINK, "orders", &[0, 0])
                .mirror(DR, LINK, "payments", &[0])
                .mirror(DR, LINK, "inventory", &[0]),
        );
        let emulator = runtime.block_on(builder.start()).unwrap();
        Self {
            emulator,
            _runtime: runtime,
            home: tempdir::TempDir::new(),
        }
    }

    pub fn url(&self) -> &str {
        self.emulator.base_url()
    }

    /// `kmirror` with the emulator's URL, cluster and credentials in the
    /// environment, as a user would set them.
    pub fn kmirror(&self) -> Command {
        let mut c = bare(&self.home);
        let (user, secret) = self.emulator.credentials().unwrap();
        c.env("KAFKA_MIRROR_URL", self.url())
            .env("KAFKA_MIRROR_CLUSTER_ID", DR)
            .env("KAFKA_MIRROR_API_KEY", user)
            .env("KAFKA_MIRROR_API_SECRET", secret);
        c
    }
}

impl Emu {
    /// What `kmirror -o json ARGS...` printed, after checking it exited 0.
    pub fn json_of(&self, args: &[&str]) -> serde_json::Value {
        let out = self
            .kmirror()
            .args(["-o", "json"])
            .args(args)
            .output()
            .unwrap();
        succeeded(&out)
    }
}

/// `kmirror` with none of its variables set, and a home of its own.
pub fn bare(home: &tempdir::TempDir) -> Command {
    let mut c = Command::cargo_bin("kmirror").unwrap();
    for (k, _) in std::env::vars() {
        if k.starts_with("KAFKA_MIRROR_") || k.starts_with("KMIRROR_") {
            c.env_remove(k);
        }
    }
    c.env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_STATE_HOME", state_home(home))
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(120));
    c
}

/// Where the commands of `home` keep their state (a failback's journal).
pub fn state_home(home: &tempdir::TempDir) -> std::path::PathBuf {
    home.path().join(".local/state")
}

/// Each mirror topic's status on the link, as `kmirror mirror list` prints
/// it. The emulator's random faults are off while it reads: this checks
/// the state a command left, not how a read copes with faults.
pub fn statuses(emu: &Emu) -> Vec<String> {
    let faults = emu.emulator.faults();
    emu.emulator
        .set_faults(kafka_mirror_emulator::Faults::default());
    let listed = emu
        .kmirror()
        .args(["-o", "json", "mirror", "list", "--link", LINK])
        .output()
        .unwrap();
    emu.emulator.set_faults(faults);
    let topics = json(&listed);
    topics
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap().to_string())
        .collect()
}

/// The JSON a command printed, after checking that it exited 0.
pub fn succeeded(output: &std::process::Output) -> serde_json::Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    json(output)
}

/// The JSON a command printed.
pub fn json(output: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

pub mod tempdir {
    /// A folder removed when dropped.
    pub struct TempDir(std::path::PathBuf);

    impl Default for TempDir {
        fn default() -> Self {
            Self::new()
        }
    }

    impl TempDir {
        pub fn new() -> Self {
            let p = std::env::temp_dir().join(format!("kmirror-test-{}", uuid::Uuid::new_v4()));
            std::fs::create_dir_all(&p).unwrap();
            Self(p)
        }

        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The sick link of the health tests, beside [`LINK`] (made healthy:
/// consumer offset sync on): `sick` from `lkc-west`, with its `AclSync`
/// task in error, `clicks` 500,000 messages behind on one partition, and
/// `audit` FAILED (`SOURCE_TOPIC_ID_CHANGED`).
pub fn with_a_sick_link(b: EmulatorBuilder) -> EmulatorBuilder {
    b.link_config(DR, LINK, "consumer.offset.sync.enable", "true")
        .link(DR, SICK, "lkc-west")
        .mirror(DR, SICK, "clicks", &[0, 500_000])
        .mirror(DR, SICK, "audit", &[3])
        .failed_mirror(
            DR,
            SICK,
            "audit",
            "SOURCE_TOPIC_ID_CHANGED",
            "The source topic was deleted and recreated.",
        )
        .task_error(
            DR,
            SICK,
            "AclSync",
            "AUTHORIZATION_FAILED",
            "The link's credentials may not DESCRIBE ACLs on lkc-west.",
        )
}

/// The sick link of [`with_a_sick_link`].
pub const SICK: &str = "sick";
