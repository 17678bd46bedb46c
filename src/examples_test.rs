//! Every example in `openapi/` decodes into its generated type (the table is
//! generated with the client; see `codegen/src/tables.rs`).

/// `(location, JSON text, decoder)` of one example.
type Row<'a> = (&'a str, &'a str, Option<fn(&str) -> Result<(), String>>);

fn check(api: &str, examples: &[Row<'_>]) {
    assert!(
        examples.len() > 10,
        "{api}: too few examples found ({})",
        examples.len()
    );
    let mut failures = Vec::new();
    for (location, json, decode) in examples {
        match decode {
            Some(decode) => {
                if let Err(e) = decode(json) {
                    failures.push(format!("{api} {location}: {e}\n    {json}"));
                }
            }
            None => failures.push(format!("{api} {location}: no type could be told for it")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} examples do not decode:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

macro_rules! rows {
    ($m:path) => {{
        use $m as m;
        m::EXAMPLES
            .iter()
            .map(|e| (e.location, e.json, e.decode))
            .collect::<Vec<_>>()
    }};
}

#[test]
fn every_confluent_example_decodes() {
    let rows = rows!(crate::confluent::generated::spec::examples);
    // The 429 HTML page of the docs pages is among them, decoded as raw text.
    assert!(rows.iter().any(|(l, _, _)| l.contains("raw body")));
    check("confluent", &rows);
}

#[test]
fn every_instaclustr_example_decodes() {
    check(
        "instaclustr",
        &rows!(crate::instaclustr::generated::spec::examples),
    );
}
