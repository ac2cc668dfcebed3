// The release build writes precompressed copies beside its files (scripts/precompress): each
// .br and .gz holds exactly the file's bytes, for a static host that serves them as they are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

const SITE_DIR = resolve(process.env.SITE_DIR ?? 'target/e2e-site');

test('every html, js, css, wasm and svg file has a .br and a .gz copy of exactly its bytes', async () => {
  const names = await readdir(SITE_DIR, { recursive: true });
  const compressible = names.filter((name) => /\.(html|js|css|wasm|svg)$/.test(name));
  assert.ok(compressible.some((name) => name.endsWith('.wasm')) && compressible.includes('index.html'), `${compressible}`);
  for (const name of compressible) {
    const bytes = await readFile(join(SITE_DIR, name));
    const brotli = await readFile(join(SITE_DIR, `${name}.br`)).catch(() => assert.fail(`${name} has no .br beside it`));
    const gzip = await readFile(join(SITE_DIR, `${name}.gz`)).catch(() => assert.fail(`${name} has no .gz beside it`));
    assert.ok(brotliDecompressSync(brotli).equals(bytes), `${name}.br is not ${name}`);
    assert.ok(gunzipSync(gzip).equals(bytes), `${name}.gz is not ${name}`);
    if (name.endsWith('.wasm')) assert.ok(brotli.length < gzip.length, `brotli ${brotli.length} B, gzip ${gzip.length} B`);
  }
});
