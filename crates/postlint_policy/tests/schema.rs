//! `rules/policy.schema.json` is generated from the raw policy types and must stay current.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test -p postlint_policy --test schema`.

use std::path::PathBuf;

#[test]
fn committed_schema_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../rules/policy.schema.json");
    let fresh = postlint_policy::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "rules/policy.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test -p postlint_policy --test schema`"
    );
}

#[test]
fn schema_describes_the_format() {
    let schema: serde_json::Value = serde_json::from_str(&postlint_policy::json_schema()).unwrap();
    let text = schema.to_string();
    for key in [
        "policy",
        "select_any",
        "at_least_tls",
        "raw_param",
        "warning",
    ] {
        assert!(text.contains(key), "schema lacks `{key}`");
    }
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
}
