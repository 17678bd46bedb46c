//! `kmirror emulator`: both services on this machine, seeded as the
//! emulator package's own binary is.

use crate::args::EmulatorArgs;
use crate::exit::CliError;
use crate::output::Out;

pub async fn run(a: EmulatorArgs, out: Out) -> Result<(), CliError> {
    let port = a.flags.port;
    let b = a.flags.builder().map_err(CliError::Config)?;
    let e = b
        .start()
        .await
        .map_err(|err| CliError::Config(format!("cannot listen on 127.0.0.1:{port}: {err}")))?;
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
