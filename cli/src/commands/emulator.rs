//! `kmirror emulator`: both services on this machine, seeded as the
//! emulator package's own binary is.

use kafka_mirror_emulator::Emulator;

use crate::args::EmulatorArgs;
use crate::exit::CliError;
use crate::output::Out;

pub async fn run(a: EmulatorArgs, out: Out) -> Result<(), CliError> {
    let mut b = Emulator::builder().port(a.port).standard_seed();
    if a.no_auth {
        b = b.no_auth();
    }
    if let Some(n) = a.rate_limit {
        b = b.rate_limit(n);
    }
    for (flag, f) in [
        ("--retriable-errors", a.retriable_errors),
        ("--connection-resets", a.connection_resets),
        ("--lost-answers", a.lost_answers),
    ] {
        if f.is_some_and(|f| !(0.0..=1.0).contains(&f)) {
            return Err(CliError::Usage(format!(
                "{flag} is a fraction between 0 and 1"
            )));
        }
    }
    if let Some(f) = a.retriable_errors {
        b = b.retriable_errors(f);
    }
    if let Some(f) = a.connection_resets {
        b = b.connection_resets(f);
    }
    if let Some(f) = a.lost_answers {
        b = b.lost_answers(f);
    }
    if let Some(s) = a.fault_seed {
        b = b.seed(s);
    }
    if let Some(d) = a.latency {
        b = b.latency(d);
    }
    if let Some(d) = a.promote_delay {
        b = b.promote_delay(d);
    }
    let e = b
        .start()
        .await
        .map_err(|err| CliError::Config(format!("cannot listen on 127.0.0.1:{}: {err}", a.port)))?;
    let info = serde_json::json!({
        "url": e.base_url(),
        "cluster": "lkc-dr",
        "link": "primary-to-dr",
        "credentials": e.credentials().map(|(u, _)| u),
        "token_url": e.token_url(),
    });
    out.result(&info, |_| {
        let mut text = format!(
            "Emulator of Confluent Cluster Linking and Instaclustr mirrors on {}\n\
             Seeded: cluster lkc-dr, link primary-to-dr from lkc-primary, mirror topics orders, payments, inventory.\n",
            e.base_url()
        );
        match e.credentials() {
            Some((user, secret)) => text.push_str(&format!(
                "Use it from another terminal:\n  export KAFKA_MIRROR_URL={} KAFKA_MIRROR_CLUSTER_ID=lkc-dr\n  export KAFKA_MIRROR_API_KEY={user} KAFKA_MIRROR_API_SECRET={secret}\n  kmirror mirror list --link primary-to-dr\n",
                e.base_url()
            )),
            None => text.push_str("No credentials needed.\n"),
        }
        text.push_str(&format!("OAuth token URL: {} (client emulator-client)\nCtrl-C stops it.", e.token_url()));
        text
    })?;
    tokio::signal::ctrl_c()
        .await
        .map_err(|err| CliError::Config(format!("cannot wait for Ctrl-C: {err}")))?;
    out.note("Emulator stopped.");
    Ok(())
}
