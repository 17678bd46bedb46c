//! The command line: every command, flag and environment variable.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Confluent Cluster Linking and Instaclustr mirrors from the terminal,
/// with DR runbooks.
///
/// Connection settings come from flags, then environment variables, then
/// the current context of ~/.config/kmirror/config.toml. Exit codes: 0
/// success, 1 some topic failed (a check found a problem, a diff a
/// difference), 2 usage error, 3 API, transport or configuration error (a
/// check could not read what it needed).
#[derive(Debug, Parser)]
#[command(name = "kmirror", version, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub output: Output,
    #[command(subcommand)]
    pub command: Command,
}

/// How results are printed: flags of every command, before or after its
/// name (`kmirror -o json link list`).
#[derive(Debug, Clone, Copy, Args)]
pub struct Output {
    /// Output format.
    #[arg(short, long, global = true, value_enum, default_value_t = Format::Human)]
    pub output: Format,
    /// Print only what was asked for: no progress, no notes.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// A command that talks to a service: where it connects (flags,
/// environment, config-file context) and what it does. The
/// connection flags are declared here only; `config.rs` reads their names
/// and variables from clap.
#[derive(Debug, Args)]
pub struct Connected<C: Subcommand> {
    #[command(flatten)]
    pub connection: Connection,
    #[command(subcommand)]
    pub command: C,
}

/// Where a command connects and with what credentials.
#[derive(Debug, Args)]
pub struct Connection {
    /// The REST endpoint: a Confluent cluster's
    /// (https://pkc-xxxxx.region.provider.confluent.cloud) or Instaclustr's
    /// API (https://api.instaclustr.com).
    #[arg(long, global = true, env = "KAFKA_MIRROR_URL", value_name = "URL")]
    pub url: Option<String>,
    /// The Confluent cluster the links are on (the DR cluster, lkc-...).
    #[arg(
        long,
        global = true,
        env = "KAFKA_MIRROR_CLUSTER_ID",
        value_name = "ID"
    )]
    pub cluster: Option<String>,
    /// API key (Confluent) or user name (Instaclustr).
    #[arg(long, global = true, env = "KAFKA_MIRROR_API_KEY", value_name = "KEY")]
    pub api_key: Option<String>,
    /// API secret (Confluent) or provisioning API key (Instaclustr). Prefer
    /// the environment variable: a flag shows in the process list.
    #[arg(
        long,
        global = true,
        env = "KAFKA_MIRROR_API_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub api_secret: Option<String>,
    /// OAuth token URL of your identity provider (Confluent).
    #[arg(
        long,
        global = true,
        env = "KAFKA_MIRROR_OAUTH_TOKEN_URL",
        value_name = "URL"
    )]
    pub oauth_token_url: Option<String>,
    /// OAuth client id.
    #[arg(
        long,
        global = true,
        env = "KAFKA_MIRROR_OAUTH_CLIENT_ID",
        value_name = "ID"
    )]
    pub oauth_client_id: Option<String>,
    /// OAuth client secret. Prefer the environment variable.
    #[arg(
        long,
        global = true,
        env = "KAFKA_MIRROR_OAUTH_CLIENT_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub oauth_client_secret: Option<String>,
    /// OAuth scope (Entra ID: api://<app>/.default).
    #[arg(
        long,
        global = true,
        env = "KAFKA_MIRROR_OAUTH_SCOPE",
        value_name = "SCOPE"
    )]
    pub oauth_scope: Option<String>,
    /// Confluent identity pool sent with OAuth tokens (pool-...).
    #[arg(
        long,
        global = true,
        env = "KAFKA_MIRROR_IDENTITY_POOL_ID",
        value_name = "POOL"
    )]
    pub identity_pool: Option<String>,
    /// A context of the config file (default: its current-context).
    #[arg(long, global = true, env = "KMIRROR_CONTEXT", value_name = "NAME")]
    pub context: Option<String>,
    /// The config file of contexts (default: ~/.config/kmirror/config.toml).
    #[arg(long, global = true, env = "KMIRROR_CONFIG", value_name = "PATH")]
    pub config_path: Option<PathBuf>,
}

/// `-o`: how results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables and sentences.
    Human,
    /// JSON, stable for scripts (see the README).
    Json,
    /// The same as YAML.
    Yaml,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Cluster links of the cluster.
    Link(Connected<LinkCommand>),
    /// Mirror topics of a link, and their actions.
    Mirror(Connected<MirrorCommand>),
    /// Disaster-recovery runbooks: switchover, failover, failback.
    Dr(Connected<DrCommand>),
    /// Instaclustr Kafka Connect mirrors.
    Instaclustr(Connected<InstaclustrCommand>),
    /// Whether a failover of the cluster's links would work right now:
    /// link state and errors, tasks, mirror statuses, lag, offset sync.
    /// Exit 0 healthy, 1 a problem (or with --strict a warning), 3 could
    /// not check.
    Check(Check),
    /// Run the emulator of both services on this machine.
    Emulator(EmulatorArgs),
    /// A DR drill against an embedded emulator: no account needed.
    Drill(DrillArgs),
    /// Shell completions: `kmirror completions bash > /etc/bash_completion.d/kmirror`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// One connection setting as clap declares it: its flag (`--api-secret`),
/// its environment variable, and whether it is a secret (its variable's
/// value is hidden from help).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingNames {
    pub id: String,
    pub flag: String,
    pub env: String,
    pub secret: bool,
}

/// Every connection setting's names, read from [`Connection`]'s
/// declaration (so they are written once).
pub fn connection_settings() -> Vec<SettingNames> {
    let declared = <Connection as Args>::augment_args(clap::Command::new("connection"));
    declared
        .get_arguments()
        .map(|a| SettingNames {
            id: a.get_id().to_string(),
            flag: a.get_long().map(|l| format!("--{l}")).unwrap_or_default(),
            env: a
                .get_env()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default(),
            secret: a.is_hide_env_values_set(),
        })
        .collect()
}

/// `kmirror check`: its connection and its flags.
#[derive(Debug, Args)]
pub struct Check {
    #[command(flatten)]
    pub connection: Connection,
    #[command(flatten)]
    pub args: CheckArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub links: LinkSelection,
    /// A mirror topic more than this many messages behind (all partitions)
    /// is a problem (default: lag is shown, not judged).
    #[arg(long, value_name = "MESSAGES")]
    pub max_lag: Option<u64>,
    /// A partition more than this many messages behind is a problem.
    #[arg(long, value_name = "MESSAGES")]
    pub max_partition_lag: Option<u64>,
    /// Warnings fail the check too (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Also write the result in the Prometheus text format to FILE
    /// (atomically), for node_exporter's textfile collector.
    #[arg(long, value_name = "FILE")]
    pub prometheus: Option<PathBuf>,
    /// Links read at once.
    #[arg(long, default_value_t = kafka_mirror::health::DEFAULT_CONCURRENCY, value_name = "N")]
    pub concurrency: usize,
    /// The whole check's time: past it, the check ends as one that could
    /// not check (exit 3), so a monitor's schedule never piles up.
    #[arg(long, value_parser = parse_duration, default_value = "2m", value_name = "DURATION")]
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Subcommand)]
pub enum LinkCommand {
    /// List the cluster's links.
    List,
    /// A link's state, error, tasks and topics.
    Describe {
        /// The link.
        link: String,
    },
    /// Create a link: with --source-cluster, destination-initiated (this
    /// cluster pulls from the source); with --destination-cluster,
    /// source-initiated (created on the source); with --remote-cluster,
    /// bidirectional.
    #[command(group(clap::ArgGroup::new("peer").required(true).args(["source_cluster", "destination_cluster", "remote_cluster"])))]
    Create {
        /// The link's name.
        link: String,
        /// The source cluster's id (lkc-...): link.mode DESTINATION.
        #[arg(long, value_name = "ID")]
        source_cluster: Option<String>,
        /// The destination cluster's id: link.mode SOURCE.
        #[arg(long, value_name = "ID")]
        destination_cluster: Option<String>,
        /// The other cluster's id: link.mode BIDIRECTIONAL.
        #[arg(long, value_name = "ID")]
        remote_cluster: Option<String>,
        /// The other cluster's bootstrap servers.
        #[arg(
            long,
            visible_alias = "remote-bootstrap-server",
            value_name = "HOST:PORT"
        )]
        source_bootstrap_server: Option<String>,
        /// A link config, `name=value`; repeat for more.
        #[arg(long = "config", value_name = "NAME=VALUE")]
        configs: Vec<String>,
        /// Validate only (validate_only=true): nothing is created.
        #[arg(long)]
        dry_run: bool,
    },
    /// Delete a link.
    Delete {
        /// The link.
        link: String,
        /// Delete even if it has mirror topics.
        #[arg(long)]
        force: bool,
        /// Validate only (validate_only=true): nothing is deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// A link's configs.
    #[command(subcommand)]
    Config(LinkConfigCommand),
    /// A link's tasks (AclSync, ConsumerOffsetSync...): state and errors.
    #[command(subcommand)]
    Task(LinkTaskCommand),
}

#[derive(Debug, Subcommand)]
pub enum LinkTaskCommand {
    /// Every task of a link, with its state and errors.
    List {
        /// The link.
        link: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LinkConfigCommand {
    /// Every config of a link, defaults included.
    List {
        /// The link.
        link: String,
    },
    /// One config.
    Get {
        /// The link.
        link: String,
        /// The config's name.
        name: String,
    },
    /// Set configs: `name=value`, one or more.
    Set {
        /// The link.
        link: String,
        /// `name=value` pairs.
        #[arg(required = true, value_name = "NAME=VALUE")]
        configs: Vec<String>,
        /// Validate only: nothing changes.
        #[arg(long)]
        dry_run: bool,
    },
    /// Reset configs to their defaults (one request for every name).
    Reset {
        /// The link.
        link: String,
        /// The configs' names.
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
        /// Validate only: nothing changes.
        #[arg(long)]
        dry_run: bool,
    },
    /// Compare the link's configs with a desired set in a TOML or YAML
    /// file (`name = value`); exit 1 when they differ.
    Diff {
        /// The link.
        link: String,
        /// The desired configs (.toml, .yaml or .yml).
        #[arg(long, value_name = "FILE")]
        file: PathBuf,
        /// A config set on the link but not in the file is a difference too
        /// (default: listed, not counted).
        #[arg(long)]
        exact: bool,
    },
}

/// Which topics an action or runbook takes.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct TopicSelection {
    /// Topic names.
    #[arg(value_name = "TOPIC")]
    pub topics: Vec<String>,
    /// The mirror topics of the link whose name matches this regular expression.
    #[arg(long, value_name = "REGEX")]
    pub pattern: Option<String>,
    /// Every mirror topic of the link.
    #[arg(long)]
    pub all: bool,
}

/// Which links of the DR cluster a runbook or action takes.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct LinkSelection {
    /// The link, on the DR cluster; repeat for several, run together with
    /// one combined report.
    #[arg(long = "link", value_name = "LINK")]
    pub links: Vec<String>,
    /// Every cluster link of the DR cluster, run together with one
    /// combined report.
    #[arg(long)]
    pub all_links: bool,
}

impl LinkSelection {
    /// The link when exactly one is named: the single-link run and report.
    pub fn single(&self) -> Option<&str> {
        match self.links.as_slice() {
            [one] if !self.all_links => Some(one),
            _ => None,
        }
    }

    /// The links of a fleet run.
    pub fn fleet(&self) -> kafka_mirror::dr::fleet::Links {
        if self.all_links {
            kafka_mirror::dr::fleet::Links::All
        } else {
            kafka_mirror::dr::fleet::Links::Names(self.links.clone())
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum MirrorCommand {
    /// Mirror topics: of one link, or of every link of the cluster.
    List {
        /// Only this link's.
        #[arg(long)]
        link: Option<String>,
        /// Only those in this status (ACTIVE, PAUSED, STOPPED, FAILED...).
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
    },
    /// A mirror topic's status and each partition's lag.
    Describe {
        /// The mirror topic.
        topic: String,
        /// Its link.
        #[arg(long)]
        link: String,
    },
    /// Start mirroring a source topic.
    Create {
        /// The topic on the source cluster.
        source_topic: String,
        /// Its link.
        #[arg(long)]
        link: String,
        /// The mirror's name here (default: the source topic's, with the
        /// link's prefix if it has one).
        #[arg(long, value_name = "NAME")]
        mirror_topic: Option<String>,
        /// Replication factor of the mirror topic.
        #[arg(long, value_name = "N")]
        replication_factor: Option<i64>,
    },
    /// Stop mirroring after the lag is caught up; the topic becomes writable (STOPPED).
    Promote(MirrorActionArgs),
    /// Stop mirroring now, whatever the lag (source down); the topic becomes writable.
    Failover(MirrorActionArgs),
    /// Pause mirroring (PAUSED).
    Pause(MirrorActionArgs),
    /// Resume paused mirroring (ACTIVE).
    Resume(MirrorActionArgs),
    /// This topic stops mirroring and the source topic starts mirroring it.
    ReverseAndStart(MirrorActionArgs),
    /// As reverse-and-start, the new mirror paused.
    ReverseAndPause(MirrorActionArgs),
    /// A stopped topic is cut back to where it left the source and mirrors it again.
    TruncateAndRestore(MirrorActionArgs),
    /// A mirror topic's state transition errors (why an action failed).
    #[command(subcommand)]
    StateTransitionError(StateTransitionErrorCommand),
    /// A live view of the mirror topics: status, lag and its trend, worst
    /// first; q or Ctrl-C quits. Not on a terminal: one snapshot.
    Watch(WatchArgs),
}

#[derive(Debug, Subcommand)]
pub enum StateTransitionErrorCommand {
    /// The errors of one mirror topic.
    List {
        /// The mirror topic.
        topic: String,
        /// Its link.
        #[arg(long)]
        link: String,
    },
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Only this link's topics; repeat for several (default: every link).
    #[arg(long = "link", value_name = "LINK")]
    pub links: Vec<String>,
    /// Time between refreshes; a refresh that takes longer (the rate
    /// limit) delays the next.
    #[arg(long, value_parser = parse_duration, default_value = "5s", value_name = "DURATION")]
    pub interval: Duration,
    /// Lag samples kept per topic for its trend.
    #[arg(long, default_value_t = 30, value_name = "N")]
    pub samples: usize,
}

#[derive(Debug, Args)]
pub struct MirrorActionArgs {
    #[command(flatten)]
    pub selection: TopicSelection,
    #[command(flatten)]
    pub links: LinkSelection,
    /// Links acted on at once with several links.
    #[arg(long, default_value_t = kafka_mirror::dr::fleet::DEFAULT_CONCURRENCY, value_name = "N")]
    pub concurrency: usize,
    /// Validate only (validate_only=true): nothing changes.
    #[arg(long)]
    pub dry_run: bool,
    /// Wait until every topic reaches the action's end state, with a progress bar.
    #[arg(long)]
    pub wait: bool,
    /// How long --wait waits (30s, 5m...).
    #[arg(long, value_parser = parse_duration, default_value = "5m", value_name = "DURATION")]
    pub timeout: Duration,
    /// Append a JSON line per request sent and per status change seen to
    /// this file; a run given the same file resumes what an unfinished
    /// earlier run in it had done.
    #[arg(long, value_name = "FILE")]
    pub journal: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DrCommand {
    /// Planned, no data loss: pre-flight checks, wait for lag <= --max-lag, promote, wait until STOPPED.
    Switchover(Runbook),
    /// Source down: fail over whatever the lag; reports the lag that may be lost.
    Failover(Runbook),
    /// Source back: reverse-and-start mirroring topics, truncate-and-restore stopped ones.
    Failback(Runbook),
}

#[derive(Debug, Args)]
pub struct Runbook {
    #[command(flatten)]
    pub selection: TopicSelection,
    #[command(flatten)]
    pub links: LinkSelection,
    /// Links run at once with several links (they share the rate limit).
    #[arg(long, default_value_t = kafka_mirror::dr::fleet::DEFAULT_CONCURRENCY, value_name = "N")]
    pub concurrency: usize,
    /// Switchover: promote when the total lag is at most this; failback:
    /// a restored topic has caught up at this lag.
    #[arg(long, default_value_t = 0, value_name = "MESSAGES")]
    pub max_lag: u64,
    /// The whole runbook's time (30s, 10m...).
    #[arg(long, value_parser = parse_duration, default_value = "10m", value_name = "DURATION")]
    pub timeout: Duration,
    /// Only validate_only calls; prints the plan.
    #[arg(long)]
    pub dry_run: bool,
    /// Append a JSON line per request sent and per status change seen to
    /// this file (an audit record that survives an interrupted run). A run
    /// given the same file resumes what an unfinished earlier run in it had
    /// done (a failback's reversed or restored topics are not acted on again).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum InstaclustrCommand {
    /// Kafka Connect mirrors.
    #[command(subcommand)]
    Mirror(InstaclustrMirrorCommand),
}

/// Instaclustr flags.
#[derive(Debug, Args)]
pub struct Connect {
    /// The Kafka Connect cluster's id (a UUID).
    #[arg(long, env = "KAFKA_MIRROR_CONNECT_CLUSTER_ID", value_name = "UUID")]
    pub connect_cluster: Option<String>,
    /// Use the deprecated provisioning API v1 instead of v2.
    #[arg(long)]
    pub v1: bool,
}

#[derive(Debug, Subcommand)]
pub enum InstaclustrMirrorCommand {
    /// The Kafka Connect cluster's mirrors.
    List {
        #[command(flatten)]
        connect: Connect,
    },
    /// One mirror.
    Get {
        /// The mirror's id.
        id: String,
        #[command(flatten)]
        connect: Connect,
    },
    /// Mirror topics of a Kafka cluster.
    Create {
        #[command(flatten)]
        connect: Connect,
        /// Topics to mirror (a regular expression).
        #[arg(long, default_value = ".*", value_name = "REGEX")]
        topics_regex: String,
        /// An Instaclustr-managed source cluster's id.
        #[arg(
            long,
            value_name = "UUID",
            conflicts_with = "source_properties",
            required_unless_present = "source_properties"
        )]
        source_cluster: Option<String>,
        /// Another source: Kafka client properties (bootstrap.servers=...).
        #[arg(long, value_name = "PROPERTIES")]
        source_properties: Option<String>,
        /// The source's alias.
        #[arg(long, default_value = "source")]
        alias: String,
        /// Prefix mirrored topics with the alias.
        #[arg(long)]
        rename: bool,
        /// Kafka Connect tasks.
        #[arg(long, default_value_t = 3)]
        max_tasks: i64,
        /// Milliseconds above which the mirror is out of sync (at least 1000).
        #[arg(long, default_value_t = 30_000)]
        target_latency: i64,
    },
    /// Delete a mirror.
    Delete {
        /// The mirror's id.
        id: String,
        #[command(flatten)]
        connect: Connect,
    },
    /// Change a mirror's target latency (milliseconds, at least 1000).
    SetLatency {
        /// The mirror's id.
        id: String,
        /// Milliseconds.
        latency: i64,
        #[command(flatten)]
        connect: Connect,
    },
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// The flags the emulator package declares for its own binary too.
    #[command(flatten)]
    pub flags: kafka_mirror_emulator::EmulatorFlags,
}

#[derive(Debug, Args)]
pub struct DrillArgs {
    /// Fail over instead of a planned switchover.
    #[arg(long, conflicts_with = "outage")]
    pub failover: bool,
    /// The source goes down: failover, then recovery and failback.
    #[arg(long)]
    pub outage: bool,
    /// Authenticate with OAuth client credentials (the emulator's token
    /// endpoint issues 5-minute tokens) instead of an API key.
    #[arg(long)]
    pub oauth: bool,
    /// Once the topics are set up, the control plane turns rough: 20% of
    /// requests answer 500/50003, 10% are reset before they are applied,
    /// 10% are applied and their answer lost, above 20 requests a second
    /// they answer 429, and the first action's answer is lost for sure.
    #[arg(long)]
    pub faults: bool,
    /// The seed of those faults' random source: the same seed, the same run.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "faults")]
    pub fault_seed: u64,
}

/// `30s`, `5m`, `1h 30m`, `500ms`; a bare number is seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    if let Ok(secs) = s.trim().parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    humantime::parse_duration(s.trim())
        .map_err(|e| format!("`{s}` is not a duration like 30s or 5m: {e}"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_tree_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn connection_settings_are_read_from_their_declaration() {
        let all = super::connection_settings();
        let find = |id: &str| all.iter().find(|s| s.id == id).unwrap().clone();
        let secret = find("api_secret");
        assert_eq!(
            (secret.flag.as_str(), secret.env.as_str(), secret.secret),
            ("--api-secret", "KAFKA_MIRROR_API_SECRET", true)
        );
        let url = find("url");
        assert_eq!(
            (url.flag.as_str(), url.env.as_str(), url.secret),
            ("--url", "KAFKA_MIRROR_URL", false)
        );
        let secrets: Vec<_> = all
            .iter()
            .filter(|s| s.secret)
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(secrets, ["api_secret", "oauth_client_secret"]);
        assert!(
            all.iter()
                .all(|s| s.flag.starts_with("--") && !s.env.is_empty())
        );
    }

    #[test]
    fn every_mirror_action_is_a_mirror_subcommand_and_nothing_else_is() {
        use kafka_mirror::confluent::MirrorAction;
        let cli = super::Cli::command();
        let mirror = cli.find_subcommand("mirror").unwrap();
        let names: Vec<&str> = mirror.get_subcommands().map(|c| c.get_name()).collect();
        for a in MirrorAction::ALL {
            assert!(names.contains(&a.name()), "kmirror mirror {a} is missing");
        }
        let others: Vec<&&str> = names
            .iter()
            .filter(|n| n.parse::<MirrorAction>().is_err())
            .collect();
        assert_eq!(
            others,
            [
                &"list",
                &"describe",
                &"create",
                &"state-transition-error",
                &"watch"
            ],
            "the mirror subcommands that are not actions"
        );
    }

    #[test]
    fn durations_read_as_people_write_them() {
        use std::time::Duration;
        assert_eq!(
            super::parse_duration("90").unwrap(),
            Duration::from_secs(90)
        );
        assert_eq!(
            super::parse_duration("5m").unwrap(),
            Duration::from_secs(300)
        );
        assert_eq!(
            super::parse_duration("250ms").unwrap(),
            Duration::from_millis(250)
        );
        assert!(
            super::parse_duration("soon")
                .unwrap_err()
                .contains("`soon` is not a duration")
        );
    }
}
