// Starts `postlint server` for Postfix main.cf and master.cf files.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('postlint');
  const command = config.get('path') || 'postlint';
  const postfixVersion = config.get('postfixVersion');
  const serverOptions = { command, args: ['server'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'postfix' },
      { scheme: 'untitled', language: 'postfix' },
    ],
    initializationOptions: postfixVersion ? { postfixVersion } : {},
  };
  client = new LanguageClient('postlint', 'postlint', serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
