// A plain static file server for the built site, mounted under a sub-path as GitHub Pages
// would host it: /playground/x -> dist/x; everything else is 404.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
};

/** Serves `root` at `prefix` (e.g. "/playground/") on a free loopback port. */
export async function serveStatic(root, prefix) {
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
      response.writeHead(200, { 'content-type': TYPES[extname(relative)] ?? 'application/octet-stream' }).end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}${prefix}` };
}
