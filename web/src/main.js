// The paste-and-check page: two editors, findings inline and as a grouped list, the effective
// configuration of each service, and the rule documentation. Every check runs in the
// WebAssembly build of postlint; the page never talks to a network.
import { EditorState } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { lintGutter, setDiagnostics } from '@codemirror/lint';
import init, * as postlint from '../build/pkg/postlint_wasm.js';
import { postfixLanguage } from './postfix.js';
import { encodeConfig, decodeConfig } from './permalink.js';
import { renderMarkdown, link, inline } from './markdown.js';
import exampleMain from '../../examples/insecure/main.cf';
import exampleMaster from '../../examples/insecure/master.cf';

const DEBOUNCE_MS = 120;
const SEVERITIES = ['error', 'warning', 'info'];
const SEVERITY_TITLE = { error: 'Errors', warning: 'Warnings', info: 'Notes' };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

const state = {
  choices: null,
  rules: new Map(),
  report: null,
  timer: 0,
  tab: 'findings',
};

function options() {
  const packs = [...document.querySelectorAll('#packs input:checked')].map((i) => i.value);
  return JSON.stringify({ packs, version: $('version').value });
}

// Each editor lives in a shadow root: CodeMirror then styles it with constructed style sheets
// instead of a <style> element, so the page's Content-Security-Policy can forbid inline styles.
const editorTheme = EditorView.theme({
  '&': { height: 'calc(50vh - 140px)', minHeight: '200px', fontSize: '13px', backgroundColor: '#fff' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: "ui-monospace, 'SFMono-Regular', 'DejaVu Sans Mono', Menlo, Consolas, monospace" },
  '.cm-gutters': { backgroundColor: '#fafafa', borderRight: '1px solid #e5e7eb', color: '#9ca3af' },
  '.cm-activeLine': { backgroundColor: '#f1f5ff' },
  '.cm-activeLineGutter': { backgroundColor: '#e8eefc' },
  '.cm-tooltip-lint': { fontFamily: 'system-ui, sans-serif', fontSize: '13px', maxWidth: '520px', whiteSpace: 'pre-wrap' },
});

function makeEditor(host, name) {
  const root = host.attachShadow({ mode: 'open' });
  return new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc: '',
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        postfixLanguage(),
        lintGutter(),
        editorTheme,
        EditorView.contentAttributes.of({ 'aria-label': name, 'data-testid': `input-${name}` }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) schedule();
        }),
      ],
    }),
  });
}

let editors;

function texts() {
  return { main: editors['main.cf'].state.doc.toString(), master: editors['master.cf'].state.doc.toString() };
}

function setTexts(main, master) {
  for (const [name, text] of [['main.cf', main], ['master.cf', master]]) {
    const view = editors[name];
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  }
  run();
}

function schedule() {
  clearTimeout(state.timer);
  state.timer = setTimeout(run, DEBOUNCE_MS);
}

function run() {
  clearTimeout(state.timer);
  const { main, master } = texts();
  const started = performance.now();
  let report;
  try {
    const json = postlint.lint(main, master, options());
    report = JSON.parse(json);
    $('report-json').textContent = json;
  } catch (e) {
    setStatus(`could not check: ${e}`, 'bad');
    return;
  }
  const ms = performance.now() - started;
  state.report = report;
  showInline(report);
  showFindings(report);
  if (state.tab === 'effective') showEffective();
  window.history.replaceState(null, '', encodeConfig(main, master));
  const { errors, warnings, infos } = report.summary;
  setStatus(`ready: checked in ${ms < 1 ? '<1' : Math.round(ms)} ms — ${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'note')}`);
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function setStatus(text, kind = '') {
  const status = $('status');
  status.textContent = text;
  status.className = kind;
}

// Squiggles: the JSON carries UTF-16 offsets into each file, which is how CodeMirror counts.
function showInline(report) {
  for (const [name, view] of Object.entries(editors)) {
    const length = view.state.doc.length;
    const diagnostics = report.diagnostics
      .filter((d) => d.file === name && d.utf16_start !== undefined)
      .map((d) => {
        const from = Math.min(d.utf16_start, length);
        let to = Math.min(d.utf16_end, length);
        if (to <= from) to = Math.min(from + 1, view.state.doc.lineAt(from).to);
        return {
          from,
          to: Math.max(from, to),
          severity: d.severity,
          source: `${d.rule} (${d.code})`,
          message: d.help ? `${d.message}\nhelp: ${d.help}` : d.message,
        };
      });
    view.dispatch(setDiagnostics(view.state, diagnostics));
    const count = diagnostics.length;
    $(name === 'main.cf' ? 'count-main' : 'count-master').textContent = count ? plural(count, 'finding') : '';
  }
}

function jumpTo(d) {
  const view = editors[d.file];
  if (!view) return;
  const length = view.state.doc.length;
  const from = Math.min(d.utf16_start ?? 0, length);
  const to = Math.min(Math.max(d.utf16_end ?? from, from), length);
  view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
  view.focus();
  view.root.host.closest('.editor-card').scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

function location(d) {
  return `${d.file}:${d.line}:${d.column}`;
}

function withCode(node, text) {
  inline(node, text);
  return node;
}

function findingNode(d) {
  const item = el('li', {
    class: `finding ${d.severity}`,
    'data-testid': 'diagnostic',
    'data-rule': d.rule,
    'data-severity': d.severity,
    'data-file': d.file,
    'data-line': d.line,
    tabindex: '0',
    title: 'show in the editor',
    onclick: () => jumpTo(d),
    onkeydown: (e) => { if (e.key === 'Enter') jumpTo(d); },
  });
  const rule = el('button', {
    type: 'button',
    class: 'rule-name',
    text: d.rule,
    title: 'rule documentation',
    onclick: (e) => { e.stopPropagation(); showRule(d.rule); },
  });
  item.append(
    el('div', { class: 'finding-head' },
      el('span', { class: `sev-dot ${d.severity}`, 'aria-label': d.severity }),
      rule,
      el('span', { class: 'code', text: d.code }),
      el('span', { class: 'loc', text: location(d) })),
    withCode(el('div', { class: 'message' }), d.message),
  );
  if (d.help) item.append(withCode(el('div', { class: 'help' }, el('b', { text: 'fix: ' })), d.help));
  for (const r of d.related ?? []) {
    item.append(withCode(el('div', { class: 'related' }), `${r.file}:${r.line}: ${r.message}`));
  }
  for (const note of d.notes ?? []) item.append(withCode(el('div', { class: 'note' }), note));
  return item;
}

function showFindings(report) {
  const { errors, warnings, infos } = report.summary;
  $('total').textContent = String(report.diagnostics.length);
  $('summary').replaceChildren(
    el('span', { class: 'chip error', text: plural(errors, 'error') }),
    el('span', { class: 'chip warning', text: plural(warnings, 'warning') }),
    el('span', { class: 'chip info', text: plural(infos, 'note') }),
  );
  const list = $('findings');
  if (!report.diagnostics.length) {
    list.replaceChildren(el('p', { class: 'empty', 'data-testid': 'no-findings', text: 'No findings. Postfix would accept this configuration as far as postlint can tell.' }));
    return;
  }
  const groups = [];
  for (const severity of SEVERITIES) {
    const of = report.diagnostics.filter((d) => d.severity === severity);
    if (!of.length) continue;
    const byService = new Map();
    for (const d of of) {
      const key = d.service ?? '';
      if (!byService.has(key)) byService.set(key, []);
      byService.get(key).push(d);
    }
    const section = el('section', { class: `group ${severity}`, 'data-testid': `group-${severity}` },
      el('h3', {}, el('span', { class: `sev-dot ${severity}` }), `${SEVERITY_TITLE[severity]} (${of.length})`));
    const keys = [...byService.keys()].sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
    for (const key of keys) {
      section.append(
        el('h4', { class: 'service', 'data-service': key || 'global', text: key ? `service ${key}` : 'whole configuration' }),
        el('ul', { class: 'finding-list' }, ...byService.get(key).map(findingNode)),
      );
    }
    groups.push(section);
  }
  list.replaceChildren(...groups);
}

function showEffective() {
  const { main, master } = texts();
  const select = $('service');
  let services = [];
  try {
    services = JSON.parse(postlint.services(main, master, options()));
  } catch (e) {
    $('effective').replaceChildren(el('p', { class: 'empty', text: String(e) }));
    return;
  }
  const previous = select.value;
  const choices = [['', 'main.cf alone (no service)'], ...services.map((s) => [s, s])];
  select.replaceChildren(...choices.map(([value, label]) => el('option', { value, text: label })));
  const preferred = services.includes(previous) ? previous
    : previous === '' && select.dataset.touched ? ''
    : services.find((s) => s.startsWith('submission/')) ?? services.find((s) => s.endsWith('/inet')) ?? '';
  select.value = preferred;
  let view;
  try {
    view = JSON.parse(postlint.effective(main, master, options(), select.value, $('all-params').checked));
  } catch (e) {
    $('effective').replaceChildren(el('p', { class: 'empty', text: String(e) }));
    return;
  }
  const parts = [];
  if (view.facts.length) {
    parts.push(el('dl', { class: 'facts', 'data-testid': 'facts' },
      ...view.facts.flatMap((f) => [el('dt', { text: f.label }), el('dd', { text: f.value })])));
  }
  const rows = view.values.map((v) => el('tr', { 'data-param': v.name },
    el('td', { class: 'pname', text: v.name }),
    el('td', { class: 'pvalue' },
      el('code', { text: v.value || '(empty)' }),
      v.written ? el('div', { class: 'written', text: `written ${v.written}` }) : null,
      v.error ? el('div', { class: 'perror', text: v.error }) : null),
    el('td', { class: 'porigin' }, v.file
      ? el('button', {
        type: 'button', class: 'origin-link', text: v.origin,
        onclick: () => jumpToLine(v.file, v.line),
      })
      : v.origin)));
  parts.push(rows.length
    ? el('table', { class: 'values' },
      el('thead', {}, el('tr', {}, el('th', { text: 'parameter' }), el('th', { text: 'value' }), el('th', { text: 'from' }))),
      el('tbody', {}, ...rows))
    : el('p', { class: 'empty', text: 'Neither file sets a parameter for this service; tick “every parameter” to see the defaults.' }));
  $('effective').replaceChildren(...parts);
}

function jumpToLine(file, line) {
  const view = editors[file];
  if (!view || !line || line > view.state.doc.lines) return;
  const l = view.state.doc.line(line);
  view.dispatch({ selection: { anchor: l.from, head: l.to }, scrollIntoView: true });
  view.focus();
}

function showRules() {
  const list = [...state.rules.values()].map((r) => el('article', { class: 'rule', id: `rule-${r.name}`, 'data-rule': r.name },
    el('div', { class: 'finding-head' },
      el('span', { class: `sev-dot ${r.severity}` }),
      el('span', { class: 'rule-title', text: r.name }),
      el('span', { class: 'code', text: r.code }),
      el('span', { class: 'loc', text: r.pack ? `${r.pack} pack` : 'built in' })),
    withCode(el('div', { class: 'message' }), r.summary),
    r.docs ? renderMarkdown(r.docs) : null,
    r.references.length ? el('div', { class: 'refs' }, ...r.references.map((u) => link(u, u))) : null));
  $('rules').replaceChildren(...list);
}

function showRule(name) {
  selectTab('rules');
  const node = document.getElementById(`rule-${name}`);
  if (node) {
    node.scrollIntoView({ block: 'start' });
    node.classList.add('flash');
    setTimeout(() => node.classList.remove('flash'), 1200);
  }
}

function selectTab(name) {
  state.tab = name;
  for (const tab of document.querySelectorAll('.tab')) tab.classList.toggle('active', tab.dataset.tab === name);
  for (const body of document.querySelectorAll('.tab-body')) body.hidden = body.id !== `tab-${name}`;
  if (name === 'effective') showEffective();
}

function fillControls() {
  const { versions, default_version: def, packs, default_packs: defaults } = state.choices;
  $('version').replaceChildren(...versions.map((v) => el('option', { value: v, text: v, selected: v === def })));
  $('packs').append(...packs.map((p) => el('label', { class: 'check' },
    el('input', { type: 'checkbox', value: p, checked: defaults.includes(p), 'data-testid': `pack-${p}` }), p)));
  $('controls').addEventListener('change', run);
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  $('example').addEventListener('click', () => setTexts(exampleMain, exampleMaster));
  $('clear').addEventListener('click', () => setTexts('', ''));
  $('share').addEventListener('click', async () => {
    run();
    try {
      await navigator.clipboard.writeText(window.location.href);
      setStatus('link copied: it holds the whole configuration, in the part after # that is never sent anywhere');
    } catch {
      setStatus('copy the address bar to share: the link holds the whole configuration');
    }
  });
  $('service').addEventListener('change', () => { $('service').dataset.touched = '1'; showEffective(); });
  $('all-params').addEventListener('change', showEffective);
  for (const tab of document.querySelectorAll('.tab')) tab.addEventListener('click', () => selectTab(tab.dataset.tab));
}

function loadFromHash() {
  const config = decodeConfig(window.location.hash);
  if (config instanceof Error) {
    // Keep the editors empty and the address as it is, so the damage can be seen.
    setStatus(config.message, 'bad');
    return true;
  }
  if (!config) return false;
  const current = texts();
  if (current.main !== config.main || current.master !== config.master) setTexts(config.main, config.master);
  return true;
}

async function start() {
  await init({ module_or_path: new URL('postlint_wasm_bg.wasm', document.baseURI) });
  state.choices = JSON.parse(postlint.choices());
  for (const rule of JSON.parse(postlint.rules())) state.rules.set(rule.name, rule);
  editors = {
    'main.cf': makeEditor($('editor-main'), 'main.cf'),
    'master.cf': makeEditor($('editor-master'), 'master.cf'),
  };
  fillControls();
  showRules();
  if (!loadFromHash()) setTexts(exampleMain, exampleMaster);
  window.addEventListener('hashchange', loadFromHash);
  document.body.dataset.ready = 'true';
}

start().catch((e) => setStatus(`postlint failed to start: ${e}`, 'bad'));
