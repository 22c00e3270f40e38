// A tiny static file server for the console's dist/ (no dependencies).
//
//   node server.mjs DIST_DIR [--port N] [--host H] [--base /some/sub/path/]
//   node server.mjs DIST_DIR --print-csp      prints the Content-Security-Policy for that build
//
// Serves DIST_DIR at "/" and, with --base, also under that sub-path, to prove the build works
// from any static host and any sub-path. Port 0 picks a free port. Prints one line
// `listening http://HOST:PORT` when ready. Any path that is not a file answers 404, as a plain
// static host would: the console uses hash routes, so it never needs a fallback.
//
// Every answer carries the strict Content-Security-Policy the console is built to run under
// (`cspFor`): scripts only from the origin, WebAssembly compiled from it, and the one inline
// script trunk emits (its loader) allowed by its SHA-256 hash.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/// The strict policy for a built index.html: `default-src 'self'; script-src 'self'
/// 'wasm-unsafe-eval'` plus the hash of each inline script in it.
export function cspFor(html) {
  const hashes = [];
  for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    hashes.push(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
  }
  return ["default-src 'self'", `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim()].join('; ');
}

export async function startServer({ dir, port = 0, host = '127.0.0.1', base = null }) {
  const root = resolve(dir);
  const index = await readFile(join(root, 'index.html'), 'utf8').catch(() => '');
  const csp = cspFor(index);
  const prefixes = ['/'];
  if (base) prefixes.unshift(base.endsWith('/') ? base : `${base}/`);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      let path = decodeURIComponent(url.pathname);
      const prefix = prefixes.find((p) => path.startsWith(p) || `${path}/` === p);
      if (!prefix) return send(res, 404, 'not found');
      if (`${path}/` === prefix) {
        // "/sub/path" without its slash: relative asset URLs need the slash.
        res.writeHead(301, { location: `${prefix}${url.search}` });
        return res.end();
      }
      path = path.slice(prefix.length);
      if (path === '' || path.endsWith('/')) path += 'index.html';
      const file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) return send(res, 403, 'forbidden');
      const info = await stat(file).catch(() => null);
      if (!info || !info.isFile()) return send(res, 404, 'not found');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] || 'application/octet-stream',
        'content-length': body.length,
        'cache-control': 'no-cache',
        'content-security-policy': csp,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      send(res, 500, String(e));
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const { port: actual } = server.address();
  return { server, origin: `http://${host}:${actual}`, close: () => new Promise((ok) => server.close(ok)) };
}

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const dir = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
  if (!dir) {
    console.error('usage: node server.mjs DIST_DIR [--port N] [--host H] [--base /sub/path/] [--print-csp]');
    process.exit(2);
  }
  if (args.includes('--print-csp')) {
    console.log(cspFor(await readFile(join(resolve(dir), 'index.html'), 'utf8')));
    process.exit(0);
  }
  const { origin } = await startServer({
    dir,
    port: Number(opt('--port', '0')),
    host: opt('--host', '127.0.0.1'),
    base: opt('--base', null),
  });
  console.log(`listening ${origin}`);
}
