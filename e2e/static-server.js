// A plain static file server for the built site, mounted under a sub-path as GitHub Pages
// would host it: /playground/x -> dist/x; everything else is 404. With `gzip`, it compresses
// what a browser accepts gzipped, as a static host does (for the cold-load benchmark).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { gzipSync } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/** Serves `root` at `prefix` (e.g. "/playground/") on a free loopback port. */
export async function serveStatic(root, prefix, { gzip = false } = {}) {
  const compressed = new Map();
  const server = createServer(async (request, response) => {
    const path = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
    if (!path.startsWith(prefix)) {
      response.writeHead(404).end('not under ' + prefix);
      return;
    }
    let relative = normalize(path.slice(prefix.length));
    if (relative.startsWith('..')) {
      response.writeHead(403).end();
      return;
    }
    if (relative === '.' || relative.endsWith('/')) relative = join(relative, 'index.html');
    try {
      const body = await readFile(join(root, relative));
      const headers = { 'content-type': TYPES[extname(relative)] ?? 'application/octet-stream' };
      if (gzip && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
        // Compressed once per file, as a host serves a stored copy: no compression time per load.
        if (!compressed.has(relative)) compressed.set(relative, gzipSync(body, { level: 9 }));
        response.writeHead(200, { ...headers, 'content-encoding': 'gzip' }).end(compressed.get(relative));
      } else {
        response.writeHead(200, headers).end(body);
      }
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}${prefix}` };
}
