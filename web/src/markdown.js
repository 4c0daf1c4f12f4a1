// A tiny renderer for the rule documentation (headings, paragraphs, lists, code), built with
// DOM nodes so no documentation text is ever parsed as HTML.

/** Appends `text` to `parent`, with `code` spans and [links](https://…). */
export function inline(parent, text) {
  const parts = text.split(/(`[^`]+`|\[[^\]]+\]\([^)]+\))/);
  for (const part of parts) {
    if (part.startsWith('`') && part.endsWith('`') && part.length > 1) {
      const code = document.createElement('code');
      code.textContent = part.slice(1, -1);
      parent.append(code);
    } else if (/^\[[^\]]+\]\([^)]+\)$/.test(part)) {
      const [, label, href] = part.match(/^\[([^\]]+)\]\(([^)]+)\)$/);
      parent.append(link(label, href));
    } else if (part) {
      parent.append(part);
    }
  }
}

export function link(label, href) {
  const a = document.createElement('a');
  a.textContent = label;
  if (/^https:\/\//.test(href)) {
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
  }
  return a;
}

export function renderMarkdown(text) {
  const root = document.createElement('div');
  root.className = 'md';
  const lines = text.split('\n');
  let para = null;
  let list = null;
  const flush = () => { para = null; list = null; };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('```')) {
      const pre = document.createElement('pre');
      const body = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      pre.textContent = body.join('\n');
      root.append(pre);
      flush();
    } else if (/^#{1,6} /.test(line)) {
      const h = document.createElement('h4');
      h.textContent = line.replace(/^#+ /, '');
      root.append(h);
      flush();
    } else if (/^\s*[-*] /.test(line)) {
      if (!list) { list = document.createElement('ul'); root.append(list); }
      const li = document.createElement('li');
      inline(li, line.replace(/^\s*[-*] /, ''));
      list.append(li);
      para = null;
    } else if (!line.trim()) {
      flush();
    } else {
      if (!para) { para = document.createElement('p'); root.append(para); list = null; }
      else para.append(' ');
      inline(para, line.trim());
    }
  }
  return root;
}
