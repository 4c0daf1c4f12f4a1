// Syntax colouring for main.cf and master.cf: comments, parameter names, `$` references,
// `-o` options. Colouring only; every real check happens in the WebAssembly module.
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags as t } from '@lezer/highlight';

const postfix = StreamLanguage.define({
  name: 'postfix',
  token(stream) {
    if (stream.sol() && stream.match(/^\s*#.*/)) return 'comment';
    if (stream.sol() && stream.match(/^[A-Za-z0-9_.-]+(?=\s*=)/)) return 'propertyName';
    if (stream.match(/^\$(\{[^}]*\}|\([^)]*\)|[A-Za-z0-9_]+)/)) return 'variableName';
    if (stream.match(/^-o(?=\s|$)/)) return 'keyword';
    if (stream.match(/^-o\s*/)) return 'keyword';
    if (stream.match('=')) return 'operator';
    if (stream.match(/^[{}]/)) return 'brace';
    stream.next();
    return null;
  },
});

const style = HighlightStyle.define([
  { tag: t.comment, color: '#6b7280', fontStyle: 'italic' },
  { tag: t.propertyName, color: '#1d4ed8' },
  { tag: t.variableName, color: '#9333ea' },
  { tag: t.keyword, color: '#b45309' },
  { tag: t.operator, color: '#6b7280' },
  { tag: t.brace, color: '#b45309' },
]);

export function postfixLanguage() {
  return [postfix, syntaxHighlighting(style)];
}
