// The permalink format: `#cfg=` + base64url (no padding) of the UTF-8 JSON
// {"main.cf": "…", "master.cf": "…"}. The fragment is never sent to a server.

const PREFIX = '#cfg=';

export function encodeConfig(main, master) {
  const bytes = new TextEncoder().encode(JSON.stringify({ 'main.cf': main, 'master.cf': master }));
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return PREFIX + btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The configuration in `hash`, `null` when it holds none, or an Error when it is damaged. */
export function decodeConfig(hash) {
  if (!hash.startsWith(PREFIX)) return null;
  try {
    const b64 = hash.slice(PREFIX.length).replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    const main = value['main.cf'] ?? '';
    const master = value['master.cf'] ?? '';
    if (typeof main !== 'string' || typeof master !== 'string') throw new Error('not text');
    return { main, master };
  } catch (e) {
    return new Error(`this link's configuration is damaged (${e.message})`);
  }
}
