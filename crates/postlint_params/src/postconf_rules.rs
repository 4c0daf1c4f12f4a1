//! The naming rules `postconf` uses, beyond the built-in table, to accept a `name=value`
//! setting as "used" (`postfix-config.md` §5.3).
//!
//! - Service-derived names (`src/postconf/postconf_service.c`): for every `master.cf` service
//!   whose command (field 8, compared verbatim) is a delivery agent, `<service><suffix>` is a
//!   parameter, e.g. `relay_destination_recipient_limit` for a `relay … smtp` service.
//! - Legacy database names (`src/postconf/postconf_dbms.c`, `LEGACY_DBMS_SUPPORT`): for a value
//!   containing `ldap:NAME` (or `mysql:`, `pgsql:`, `sqlite:`, `memcache:`, `mongodb:`, also
//!   behind `proxy:`) where `NAME` is not a path, `NAME_<suffix>` is a parameter. The suffixes
//!   are the keys of that client's configuration file: `postconf` builds them at compile time
//!   from the `cfg_get_*()` calls of `src/global/dict_*.c` (`extract_cfg.sh`, adding `domain`
//!   for every client and the legacy SQL query keys for the SQL clients). The lists below are
//!   those of the newest release; keys added after 3.7 (`mysql`: `charset`, `idle_interval`,
//!   `retry_interval`; `pgsql`: `encoding`, `idle_interval`, `retry_interval`; `sqlite`:
//!   `statement_mode`) are accepted for every release.

/// Suffixes of the delivery agents `smtp`, `lmtp`, `local`, `virtual` and `error`.
const TRANSPORT_SUFFIXES: &[&str] = &[
    "_recipient_limit",
    "_extra_recipient_limit",
    "_recipient_refill_limit",
    "_recipient_refill_delay",
    "_delivery_slot_cost",
    "_delivery_slot_loan",
    "_delivery_slot_discount",
    "_minimum_delivery_slots",
    "_initial_destination_concurrency",
    "_destination_concurrency_limit",
    "_destination_recipient_limit",
    "_destination_concurrency_positive_feedback",
    "_destination_concurrency_negative_feedback",
    "_destination_concurrency_failed_cohort_limit",
    "_destination_rate_delay",
    "_transport_rate_delay",
];

/// Suffixes of `pipe`: the transport suffixes plus `_time_limit`.
const PIPE_SUFFIXES: &[&str] = &[
    "_time_limit",
    "_recipient_limit",
    "_extra_recipient_limit",
    "_recipient_refill_limit",
    "_recipient_refill_delay",
    "_delivery_slot_cost",
    "_delivery_slot_loan",
    "_delivery_slot_discount",
    "_minimum_delivery_slots",
    "_initial_destination_concurrency",
    "_destination_concurrency_limit",
    "_destination_recipient_limit",
    "_destination_concurrency_positive_feedback",
    "_destination_concurrency_negative_feedback",
    "_destination_concurrency_failed_cohort_limit",
    "_destination_rate_delay",
    "_transport_rate_delay",
];

/// Suffixes of `spawn`.
const SPAWN_SUFFIXES: &[&str] = &["_time_limit"];

/// The suffixes that make `<service><suffix>` a parameter for a `master.cf` service whose
/// command (field 8) is `program`: the 16 scheduler suffixes for `smtp`, `lmtp`, `local`,
/// `virtual` and `error`; those plus `_time_limit` for `pipe`; only `_time_limit` for `spawn`;
/// none for any other command. `postconf` compares the command verbatim, so a path such as
/// `/usr/lib/postfix/smtp` matches nothing.
pub fn service_derived_suffixes(program: &str) -> &'static [&'static str] {
    match program {
        "smtp" | "lmtp" | "local" | "virtual" | "error" => TRANSPORT_SUFFIXES,
        "pipe" => PIPE_SUFFIXES,
        "spawn" => SPAWN_SUFFIXES,
        _ => &[],
    }
}

/// The built-in parameter whose value is the default of a service-derived parameter with
/// this `suffix` (`postconf` shows `relay_destination_recipient_limit =
/// $default_destination_recipient_limit`).
pub fn service_derived_default(suffix: &str) -> Option<&'static str> {
    Some(match suffix {
        "_time_limit" => "command_time_limit",
        "_recipient_limit" => "default_recipient_limit",
        "_extra_recipient_limit" => "default_extra_recipient_limit",
        "_recipient_refill_limit" => "default_recipient_refill_limit",
        "_recipient_refill_delay" => "default_recipient_refill_delay",
        "_delivery_slot_cost" => "default_delivery_slot_cost",
        "_delivery_slot_loan" => "default_delivery_slot_loan",
        "_delivery_slot_discount" => "default_delivery_slot_discount",
        "_minimum_delivery_slots" => "default_minimum_delivery_slots",
        "_initial_destination_concurrency" => "initial_destination_concurrency",
        "_destination_concurrency_limit" => "default_destination_concurrency_limit",
        "_destination_recipient_limit" => "default_destination_recipient_limit",
        "_destination_concurrency_positive_feedback" => {
            "default_destination_concurrency_positive_feedback"
        }
        "_destination_concurrency_negative_feedback" => {
            "default_destination_concurrency_negative_feedback"
        }
        "_destination_concurrency_failed_cohort_limit" => {
            "default_destination_concurrency_failed_cohort_limit"
        }
        "_destination_rate_delay" => "default_destination_rate_delay",
        "_transport_rate_delay" => "default_transport_rate_delay",
        _ => return None,
    })
}

/// The lookup table types with legacy `main.cf` parameters, in `postconf`'s order.
pub const LEGACY_DBMS_TYPES: &[&str] = &["ldap", "mysql", "pgsql", "sqlite", "memcache", "mongodb"];

/// `ldap_table(5)` keys (`dict_ldap.c`; `query` comes from a disabled alternative that the
/// extraction still sees).
const LDAP_SUFFIXES: &[&str] = &[
    "bind",
    "bind_dn",
    "bind_pw",
    "cache",
    "cache_expiry",
    "cache_size",
    "chase_referrals",
    "debuglevel",
    "dereference",
    "domain",
    "expansion_limit",
    "leaf_result_attribute",
    "query",
    "query_filter",
    "recursion_limit",
    "result_attribute",
    "result_filter",
    "result_format",
    "sasl_authz_id",
    "sasl_mechs",
    "sasl_minssf",
    "sasl_realm",
    "scope",
    "search_base",
    "server_host",
    "server_port",
    "size_limit",
    "special_result_attribute",
    "start_tls",
    "terminal_result_attribute",
    "timeout",
    "tls_ca_cert_dir",
    "tls_ca_cert_file",
    "tls_cert",
    "tls_cipher_suite",
    "tls_key",
    "tls_random_file",
    "tls_require_cert",
    "version",
];

/// `mysql_table(5)` keys.
const MYSQL_SUFFIXES: &[&str] = &[
    "additional_conditions",
    "charset",
    "dbname",
    "domain",
    "expansion_limit",
    "hosts",
    "idle_interval",
    "option_file",
    "option_group",
    "password",
    "query",
    "require_result_set",
    "result_format",
    "retry_interval",
    "select_field",
    "table",
    "tls_CAfile",
    "tls_CApath",
    "tls_cert_file",
    "tls_ciphers",
    "tls_key_file",
    "tls_verify_cert",
    "user",
    "where_field",
];

/// `pgsql_table(5)` keys.
const PGSQL_SUFFIXES: &[&str] = &[
    "additional_conditions",
    "dbname",
    "domain",
    "encoding",
    "expansion_limit",
    "hosts",
    "idle_interval",
    "password",
    "query",
    "result_format",
    "retry_interval",
    "select_field",
    "select_function",
    "table",
    "user",
    "where_field",
];

/// `sqlite_table(5)` keys.
const SQLITE_SUFFIXES: &[&str] = &[
    "additional_conditions",
    "dbpath",
    "domain",
    "expansion_limit",
    "query",
    "result_format",
    "select_field",
    "statement_mode",
    "table",
    "where_field",
];

/// `memcache_table(5)` keys.
const MEMCACHE_SUFFIXES: &[&str] = &[
    "backup",
    "data_size_limit",
    "domain",
    "flags",
    "key_format",
    "line_size_limit",
    "max_try",
    "memcache",
    "retry_pause",
    "timeout",
    "ttl",
];

/// `mongodb_table(5)` keys (`dict_mongodb.c`).
const MONGODB_SUFFIXES: &[&str] = &[
    "collection",
    "dbname",
    "domain",
    "expansion_limit",
    "projection",
    "query_filter",
    "result_attribute",
    "result_format",
    "uri",
];

/// The suffixes (without the joining `_`) that make `NAME_<suffix>` a parameter when a value
/// uses `dict_type:NAME` with a non-path `NAME`; empty for other table types. The lists are
/// sorted.
pub fn legacy_dbms_suffixes(dict_type: &str) -> &'static [&'static str] {
    match dict_type {
        "ldap" => LDAP_SUFFIXES,
        "mysql" => MYSQL_SUFFIXES,
        "pgsql" => PGSQL_SUFFIXES,
        "sqlite" => SQLITE_SUFFIXES,
        "memcache" => MEMCACHE_SUFFIXES,
        "mongodb" => MONGODB_SUFFIXES,
        _ => &[],
    }
}
