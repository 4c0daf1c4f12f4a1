//! The `wasm-bindgen` exports: each takes and returns strings and turns an `Err` into a
//! JavaScript exception. The page calls them from a debounced editor listener.

use wasm_bindgen::prelude::wasm_bindgen;

/// The JSON contract for the two files (see [`crate::lint_json`]).
#[wasm_bindgen]
pub fn lint(main: &str, master: &str, options: &str) -> Result<String, String> {
    crate::lint_json(main, master, options)
}

/// The `name/type` keys of master.cf's services, as a JSON array.
#[wasm_bindgen]
pub fn services(main: &str, master: &str, options: &str) -> Result<String, String> {
    crate::services_json(main, master, options)
}

/// The effective configuration of `service` (empty: main.cf alone) as JSON.
#[wasm_bindgen]
pub fn effective(
    main: &str,
    master: &str,
    options: &str,
    service: &str,
    all: bool,
) -> Result<String, String> {
    crate::effective_json(main, master, options, service, all)
}

/// Every rule's documentation as a JSON array.
#[wasm_bindgen]
pub fn rules() -> Result<String, String> {
    crate::rules_json()
}

/// The versions and packs the page's selectors offer, as JSON.
#[wasm_bindgen]
pub fn choices() -> Result<String, String> {
    crate::choices_json()
}
