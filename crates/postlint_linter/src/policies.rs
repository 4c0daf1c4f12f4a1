//! Running TOML policies: loading the packs and the user's files, and evaluating them against
//! every master.cf service through the model and the facts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use postlint_diagnostics::{Diagnostic, FileId, LineIndex, TextRange};
use postlint_facts::client_tls::DnsSupport;
use postlint_facts::postscreen::{PassCandidate, PassLookup, lookup_pass_service};
use postlint_facts::program::ProgramKind;
use postlint_facts::protocols::{ProtocolList, parse_protocols};
use postlint_facts::reachability::Reachability;
use postlint_facts::server_tls::ServerTlsLevel;
use postlint_facts::{Params, ServiceFacts, TlsLevel, parse_bool};
use postlint_model::{Model, Origin, View};
use postlint_policy::{FactValue, LoadOptions, Loaded, Policy, ServiceContext, TlsProtocol};
use postlint_postconf::{Config, MAIN_CF, MASTER_CF};
use postlint_syntax::{Bytes, MasterCf, Service};

use crate::analyses;
use crate::check::{FileKind, Pack, ReportFile, Settings};
use crate::service::{Expanded, facts_of};

/// Loads the enabled packs and the user's policy files; each becomes a [`ReportFile`] so load
/// errors can point into it. A pack is loaded once per process (per file id) and reused: the
/// language server and fleet mode check again and again with the same packs.
pub fn load_all(
    settings: &Settings,
    files: &mut Vec<ReportFile>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Policy> {
    let mut policies = Vec::new();
    let mut add = |files: &mut Vec<ReportFile>, name: String, loaded: &Loaded, text, index| {
        files.push(ReportFile {
            id: next_id(files),
            kind: FileKind::Policy,
            name,
            index,
            text,
            present: true,
        });
        policies.extend(loaded.policies.iter().cloned());
        diagnostics.extend(loaded.diagnostics.iter().cloned());
    };
    for &pack in &settings.packs {
        let loaded = cached_pack(pack, next_id(files));
        add(
            files,
            pack.file_name().to_owned(),
            &loaded.loaded,
            loaded.text.clone(),
            loaded.index.clone(),
        );
    }
    for f in &settings.policies {
        let text = Bytes::copy_from_slice(f.text.as_bytes());
        let loaded = load_policy(&f.text, next_id(files));
        let index = LineIndex::new(&text);
        add(files, f.name.clone(), &loaded, text, index);
    }
    policies
}

fn next_id(files: &[ReportFile]) -> FileId {
    FileId(u32::try_from(files.len()).unwrap_or(u32::MAX))
}

fn load_policy(text: &str, file: FileId) -> Loaded {
    postlint_policy::load(
        text,
        &LoadOptions {
            file,
            analyses: analyses::NAMES,
        },
    )
}

/// A built-in pack, loaded.
struct LoadedPack {
    text: Bytes,
    index: LineIndex,
    loaded: Loaded,
}

/// `pack` loaded with its spans in file `id`, from the process-wide cache.
fn cached_pack(pack: Pack, id: FileId) -> Arc<LoadedPack> {
    type Cache = Mutex<HashMap<(Pack, FileId), Arc<LoadedPack>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let load = || {
        let text = Bytes::from_static(pack.text().as_bytes());
        Arc::new(LoadedPack {
            index: LineIndex::new(&text),
            loaded: load_policy(pack.text(), id),
            text,
        })
    };
    let Ok(mut cache) = CACHE.get_or_init(Cache::default).lock() else {
        return load();
    };
    Arc::clone(cache.entry((pack, id)).or_insert_with(load))
}

/// Evaluates `policies` against every service of `config`, once per distinct master.cf key
/// (Postfix's master uses the last entry of a duplicated `name/type`).
pub fn evaluate_all(
    config: &Config,
    model: &Model,
    policies: &[Policy],
    diagnostics: &mut Vec<Diagnostic>,
) {
    if policies.is_empty() {
        return;
    }
    let pass = postscreen_pass_services(model, &config.master);
    let used = last_valid_by_key(&config.master);
    let mut found = Vec::new();
    let class_cache = ClassCache::default();
    for (index, service) in config.master.services.iter().enumerate() {
        if service.invalid || used.get(&service.key()) != Some(&index) {
            continue;
        }
        let Some(ctx) = ServiceCtx::new(
            config,
            model,
            index,
            pass.get(&index).copied(),
            &class_cache,
        ) else {
            continue;
        };
        let analyses = |name: &str, svc: &dyn ServiceContext| analyses::run(name, &ctx, svc);
        found.extend(postlint_policy::evaluate(policies, &ctx, &analyses));
    }
    merge_shared(&mut found);
    diagnostics.extend(found);
}

/// The index of the entry master uses for each `name/type`: the last valid one.
fn last_valid_by_key(master: &MasterCf) -> HashMap<String, usize> {
    master
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.invalid)
        .map(|(i, s)| (s.key(), i))
        .collect()
}

/// Findings of one rule that differ only in the service they name (a main.cf value, or a
/// default, that several services share) are reported once, with a note naming the others.
fn merge_shared(found: &mut Vec<Diagnostic>) {
    let key = |d: &Diagnostic| {
        let service = d.service.clone().unwrap_or_default();
        let own = [
            format!("in `{service}`"),
            format!("`{service}` is defined here"),
        ];
        let labels: Vec<_> = d
            .labels
            .iter()
            .filter(|l| !own.contains(&l.message))
            .map(|l| (l.file, l.range, l.message.replace(&service, "{service}")))
            .collect();
        (
            d.rule.clone(),
            d.message.replace(&service, "{service}"),
            labels,
        )
    };
    let mut out: Vec<(Diagnostic, _)> = Vec::with_capacity(found.len());
    for d in found.drain(..) {
        let k = key(&d);
        let same = out
            .iter_mut()
            .find(|(o, ok)| *ok == k && o.service != d.service);
        match (same, &d.service) {
            (Some((first, _)), Some(service)) => {
                let note = format!("also affects `{service}`");
                if !first.notes.contains(&note) {
                    first.notes.push(note);
                }
            }
            _ => out.push((d, k)),
        }
    }
    *found = out.into_iter().map(|(d, _)| d).collect();
}

/// The `pass` services that receive connections from a postscreen reachable from outside,
/// mapped to the postscreen service's index.
fn postscreen_pass_services(model: &Model, master: &MasterCf) -> HashMap<usize, usize> {
    let names: Vec<(String, String, bool)> = master
        .services
        .iter()
        .map(|s| {
            let private = s.fields[2].as_str();
            (
                s.name().as_str().into_owned(),
                s.kind().as_str().into_owned(),
                private != "n",
            )
        })
        .collect();
    let candidates: Vec<PassCandidate<'_>> = names
        .iter()
        .map(|(name, kind, private)| PassCandidate {
            name,
            kind,
            private: *private,
        })
        .collect();
    let mut out = HashMap::new();
    for (index, service) in master.services.iter().enumerate() {
        let program = postlint_facts::program::program(&service.command().as_str());
        if program.kind != ProgramKind::Postscreen || service.kind().as_str() != "inet" {
            continue;
        }
        let Some(view) = model.service(index) else {
            continue;
        };
        let smtpd_name = view
            .expanded("smtpd_service_name")
            .unwrap_or_else(|| "smtpd".to_owned());
        if let PassLookup::Found(pass) = lookup_pass_service(&smtpd_name, &candidates) {
            out.insert(pass, index);
        }
    }
    out
}

/// Restriction-class sets by the `smtpd_restriction_classes` value they were built from.
pub type ClassCache = std::cell::RefCell<Vec<std::rc::Rc<analyses::restrictions::ClassSet>>>;

/// One master.cf service, as policies and analyses see it.
pub struct ServiceCtx<'a> {
    config: &'a Config,
    /// The service's effective values.
    pub view: View<'a>,
    /// The same, as the facts read them.
    pub params: Expanded<'a>,
    /// The master.cf entry.
    pub service: &'a Service,
    /// Its facts.
    pub facts: ServiceFacts,
    key: String,
    name: String,
    kind: String,
    program: String,
    /// The postscreen service this `pass` service receives connections from.
    pub behind_postscreen: Option<usize>,
    /// Restriction-class sets by `smtpd_restriction_classes` value, shared across services.
    pub class_cache: &'a ClassCache,
    /// Whether that postscreen (or the service itself) is reachable from outside.
    reachable: Option<bool>,
}

impl<'a> ServiceCtx<'a> {
    fn new(
        config: &'a Config,
        model: &'a Model,
        index: usize,
        behind_postscreen: Option<usize>,
        class_cache: &'a ClassCache,
    ) -> Option<Self> {
        let service = config.master.services.get(index)?;
        let view = model.service(index)?;
        let facts = facts_of(model, &config.master, index)?;
        let reachable = match behind_postscreen {
            Some(ps) => {
                facts_of(model, &config.master, ps).and_then(|f| reachable_of(&f.reachability))
            }
            None => reachable_of(&facts.reachability),
        };
        Some(Self {
            config,
            params: Expanded::of(&view),
            view,
            key: service.key(),
            name: service.name().as_str().into_owned(),
            kind: service.kind().as_str().into_owned(),
            program: facts.program.name.clone(),
            facts,
            service,
            behind_postscreen,
            reachable,
            class_cache,
        })
    }

    /// The effective expanded value, or the empty string.
    pub fn get(&self, name: &str) -> &str {
        self.params.get(name).unwrap_or_default()
    }

    /// The configuration.
    pub fn config(&self) -> &'a Config {
        self.config
    }

    fn client_prefix(&self) -> &'static str {
        if self.facts.program.kind == ProgramKind::Lmtp {
            "lmtp_"
        } else {
            "smtp_"
        }
    }

    fn is_client(&self) -> bool {
        matches!(
            self.facts.program.kind,
            ProgramKind::Smtp | ProgramKind::Lmtp
        )
    }

    fn protocol_floor(&self, param: &str) -> Option<FactValue> {
        let value = self.params.get(param)?;
        match parse_protocols(value, self.view.model().version()) {
            ProtocolList::Valid(policy) => {
                let floor = policy.floor()?;
                TlsProtocol::parse(floor.name()).map(FactValue::Protocol)
            }
            ProtocolList::Invalid { .. } => None,
        }
    }

    fn protocol_params(&self, mandatory: bool) -> Option<String> {
        let prefix = match self.facts.program.kind {
            ProgramKind::Smtpd => "smtpd_",
            ProgramKind::Smtp => "smtp_",
            ProgramKind::Lmtp => "lmtp_",
            _ => return None,
        };
        Some(if mandatory {
            format!("{prefix}tls_mandatory_protocols")
        } else {
            format!("{prefix}tls_protocols")
        })
    }

    /// The relayhost's port: `[host]:port` or `host:port`; 25 without one.
    fn relayhost_port(&self) -> Option<i64> {
        let relayhost = self.get("relayhost").trim();
        if relayhost.is_empty() {
            return None;
        }
        let first = relayhost
            .split([',', ' ', '\t'])
            .find(|s| !s.is_empty())
            .unwrap_or_default();
        let port = match first.rfind(']') {
            Some(close) => first.get(close + 1..).and_then(|r| r.strip_prefix(':')),
            None => first.rsplit_once(':').map(|(_, p)| p),
        };
        match port {
            None => Some(25),
            Some(p) => p
                .parse::<i64>()
                .ok()
                .or_else(|| well_known_port(p).map(i64::from)),
        }
    }

    /// Whether some `content_filter` (main.cf's, or any service's `-o`) names this service as
    /// transport with a loopback next hop.
    fn loopback_filter_target(&self) -> bool {
        if self.kind != "unix" {
            return false;
        }
        let mut values: Vec<String> = (self.view.model().main_entry("content_filter"))
            .and_then(|index| self.config.main.parameters.get(index))
            .map(|p| p.value_str().into_owned())
            .into_iter()
            .collect();
        values.extend(self.config.master.services.iter().flat_map(|s| {
            s.overrides
                .iter()
                .filter(|o| o.name == b"content_filter")
                .map(|o| o.value_str().into_owned())
        }));
        values.iter().any(|v| {
            let Some((transport, next_hop)) = v.trim().split_once(':') else {
                return false;
            };
            let host = next_hop
                .trim_start_matches('[')
                .split([']', ':'])
                .next()
                .unwrap_or_default();
            transport == self.name
                && (host == "localhost"
                    || host
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|a| a.is_loopback()))
        })
    }

    /// Where a parameter's effective value is written: the `-o` override, the main.cf line it
    /// overrides (when there is one), or the main.cf line.
    fn locations(&self, param: &str) -> Vec<(FileId, TextRange, String)> {
        let Some(value) = self.view.value(param) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        match &value.origin {
            Origin::MasterCf {
                name_range,
                value_range,
                ..
            } => {
                out.push((
                    MASTER_CF,
                    name_range.cover(*value_range),
                    format!("`-o {param}={}` for this service", value.raw),
                ));
                if let Some(p) = (self.view.model().main_entry(param))
                    .and_then(|index| self.config.main.parameters.get(index))
                {
                    out.push((
                        MAIN_CF,
                        p.name_range().cover(p.value_range()),
                        "main.cf's value, overridden for this service".to_owned(),
                    ));
                }
            }
            Origin::MainCf { .. } => {
                if let Some((file, range)) = origin_span(&value.origin) {
                    out.push((file, range, format!("`{param} = {}`", value.raw)));
                }
            }
            _ => {}
        }
        for step in value.references.iter().filter(|s| s.depth == 0) {
            if let Some((file, range)) = origin_span(&step.origin) {
                out.push((file, range, format!("`${}` is defined here", step.name)));
            }
        }
        out
    }
}

/// The `name = value` (or `-o name=value`) text an origin points at.
fn origin_span(origin: &Origin) -> Option<(FileId, TextRange)> {
    match origin {
        Origin::MainCf {
            name_range,
            value_range,
            ..
        } => Some((MAIN_CF, name_range.cover(*value_range))),
        Origin::MasterCf {
            name_range,
            value_range,
            ..
        } => Some((MASTER_CF, name_range.cover(*value_range))),
        _ => None,
    }
}

fn reachable_of(r: &Reachability) -> Option<bool> {
    match r {
        Reachability::Public => Some(true),
        Reachability::LoopbackOnly | Reachability::Local | Reachability::Disabled => Some(false),
        Reachability::Unknown(_) => None,
    }
}

/// Ports of the service names a relayhost may use.
fn well_known_port(name: &str) -> Option<u16> {
    match name {
        "smtp" => Some(25),
        "submission" => Some(587),
        "submissions" | "smtps" | "ssmtp" | "urd" => Some(465),
        "lmtp" => Some(24),
        _ => None,
    }
}

fn server_level(level: ServerTlsLevel) -> TlsLevel {
    match level {
        ServerTlsLevel::None => TlsLevel::None,
        ServerTlsLevel::May => TlsLevel::May,
        ServerTlsLevel::Encrypt => TlsLevel::Encrypt,
    }
}

impl ServiceContext for ServiceCtx<'_> {
    fn key(&self) -> String {
        self.key.clone()
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> &str {
        &self.kind
    }

    fn program(&self) -> &str {
        &self.program
    }

    fn port(&self) -> Option<u16> {
        match &self.facts.endpoint {
            Some(Ok(endpoint)) => endpoint.port.port(),
            _ => None,
        }
    }

    fn reachable(&self) -> Option<bool> {
        self.reachable
    }

    fn postscreen_pass(&self) -> bool {
        self.behind_postscreen.is_some()
    }

    fn param(&self, name: &str) -> Option<String> {
        self.params.get(name).map(str::to_owned)
    }

    fn raw_param(&self, name: &str) -> Option<String> {
        self.view.value(name).map(|v| v.raw)
    }

    fn is_set(&self, name: &str) -> bool {
        self.view
            .value(name)
            .is_some_and(|v| matches!(v.origin, Origin::MainCf { .. } | Origin::MasterCf { .. }))
    }

    fn fact(&self, name: &str) -> Option<FactValue> {
        let server = self.facts.server_tls.as_ref();
        let client = self.facts.client_tls.as_ref();
        match name {
            "tls_offered" => server.map(|s| FactValue::Bool(s.tls_offered)),
            "tls_required" => server.map(|s| FactValue::Bool(s.tls_required)),
            // A client's mandatory list applies at `encrypt` and above; `dane` is
            // opportunistic for destinations without TLSA records, so it does not count.
            "tls_mandatory" => server
                .map(|s| s.tls_required)
                .or_else(|| {
                    client.map(|c| c.tls_required() && !matches!(c.level, Some(TlsLevel::Dane)))
                })
                .map(FactValue::Bool),
            "server_tls_level" => server.map(|s| FactValue::TlsLevel(server_level(s.level))),
            "wrappermode" => server.map(|_| {
                FactValue::Bool(parse_bool(self.get("smtpd_tls_wrappermode")).unwrap_or(false))
            }),
            "server_cert_present" => self
                .facts
                .certificates
                .as_ref()
                .map(|c| FactValue::Bool(c.present)),
            "client_tls_level" => client.and_then(|c| c.level).map(FactValue::TlsLevel),
            "client_wrappermode" => client.map(|c| FactValue::Bool(c.wrappermode)),
            "relayhost_set" => self
                .is_client()
                .then(|| FactValue::Bool(self.relayhost_port().is_some())),
            "relayhost_port" => self
                .is_client()
                .then(|| self.relayhost_port())
                .flatten()
                .map(FactValue::Int),
            "dns_dnssec" => client
                .and_then(|c| c.dns_support)
                .map(|d| FactValue::Bool(d == DnsSupport::Dnssec)),
            "trust_anchors" => self.is_client().then(|| {
                let p = self.client_prefix();
                let set = |suffix: &str| !self.get(&format!("{p}{suffix}")).trim().is_empty();
                FactValue::Bool(
                    set("tls_CAfile") || set("tls_CApath") || set("tls_trust_anchor_file"),
                )
            }),
            "mandatory_protocol_floor" => self.protocol_floor(&self.protocol_params(true)?),
            "protocol_floor" => self.protocol_floor(&self.protocol_params(false)?),
            "next_hop_loopback" => Some(FactValue::Bool(self.loopback_filter_target())),
            "protocols_valid" => {
                let version = self.view.model().version();
                let valid = [true, false].into_iter().all(|mandatory| {
                    self.protocol_params(mandatory).is_none_or(|param| {
                        self.params.get(&param).is_none_or(|v| {
                            matches!(parse_protocols(v, version), ProtocolList::Valid(_))
                        })
                    })
                });
                self.protocol_params(true).map(|_| FactValue::Bool(valid))
            }
            _ => None,
        }
    }

    fn locate(&self, param: &str) -> Vec<(FileId, TextRange, String)> {
        // Facts list the parameters of every program; label only this program's.
        let foreign = match self.facts.program.kind {
            ProgramKind::Smtpd => ["smtp_", "lmtp_"],
            ProgramKind::Smtp => ["smtpd_", "lmtp_"],
            ProgramKind::Lmtp => ["smtpd_", "smtp_"],
            _ => ["", ""],
        };
        if foreign
            .iter()
            .any(|p| !p.is_empty() && param.starts_with(p))
        {
            return Vec::new();
        }
        self.locations(param)
    }

    fn override_edit(&self, name: &str, value: &str) -> Option<postlint_diagnostics::Edit> {
        let text = format!("{name}={value}");
        if let Some(o) = self
            .service
            .overrides
            .iter()
            .rev()
            .find(|o| o.name == name.as_bytes())
        {
            // Replace `name=value` of the last `-o` for the name (only when it maps byte for
            // byte onto the file, which a `{ }` group or a joined option may not).
            if o.value_range.len() as usize != o.value.len() {
                return None;
            }
            return Some(postlint_diagnostics::Edit {
                file: MASTER_CF,
                range: o.name_range.cover(o.value_range),
                replacement: text,
            });
        }
        // Append a continuation line to the entry, unless the command takes other arguments
        // (`-o` must come before the first of them).
        if self.service.args.len() != 2 * self.service.overrides.len() {
            return None;
        }
        Some(postlint_diagnostics::Edit {
            file: MASTER_CF,
            range: TextRange::empty(self.service.line.range().end),
            replacement: format!("\n  -o {text}"),
        })
    }

    fn service_range(&self) -> (FileId, TextRange) {
        (
            MASTER_CF,
            self.service
                .name()
                .range
                .cover(self.service.command().range),
        )
    }
}
