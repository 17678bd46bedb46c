//! `kmirror mirror watch`.

pub async fn run(
    _a: crate::args::WatchArgs,
    _c: &kafka_mirror::confluent::Client,
    _cluster: &str,
    _out: crate::output::Out,
) -> Result<(), crate::exit::CliError> {
    Ok(())
}
