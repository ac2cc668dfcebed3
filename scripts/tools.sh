# Installs what the playground needs, skipping whatever is already there at the right version.
# Sourced by scripts/serve, scripts/build-site and scripts/test; not run on its own.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

# trunk 0.22 needs a newer rustc than 1.95; 0.21 builds with it.
TRUNK_VERSION=0.21.14
# twiggy, the wasm size profiler scripts/bench reads; it prints itself as twiggy-opt.
TWIGGY_VERSION=0.8.0

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The wasm-bindgen CLI must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock"
}

ensure_build_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "installing trunk $TRUNK_VERSION (takes several minutes)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  local bindgen
  bindgen=$(wasm_bindgen_version)
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen" ]; then
    # Without --locked: with it, this version fails to resolve webpki-roots.
    say "installing wasm-bindgen-cli $bindgen (takes a few minutes)"
    cargo install wasm-bindgen-cli --version "$bindgen" --force
  fi
}

# twiggy tells which function each byte of the wasm belongs to (scripts/bench's size table).
ensure_twiggy() {
  if [ "$(twiggy --version 2>/dev/null)" != "twiggy-opt $TWIGGY_VERSION" ]; then
    say "installing twiggy $TWIGGY_VERSION (takes a few minutes)"
    cargo install twiggy --version "$TWIGGY_VERSION" --locked
  fi
}

# Node tools from package.json: wasm-opt for release builds, playwright-core for the tests.
ensure_node_tools() {
  if ! command -v npm >/dev/null; then
    say "installing Node.js and npm"
    as_root apt-get update
    as_root apt-get install -y nodejs npm
  fi
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    say "installing node tools (binaryen, playwright-core)"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

ensure_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    say "installing Debian's chromium and chromium-driver"
    as_root apt-get update
    as_root apt-get install -y chromium chromium-driver
  fi
}

# cargo fuzz drives libFuzzer; its own version does not matter, only that it is there.
ensure_cargo_fuzz() {
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "installing cargo-fuzz (takes a few minutes)"
    cargo install cargo-fuzz --locked
  fi
}

# Debian's PostgreSQL 15, for the differential tests on a real cluster (model/tests/postgres.rs).
# The tests run their own servers as the postgres user on free 127.0.0.1 ports in a temporary
# directory: they neither need nor start the default cluster (15/main) the package creates.
ensure_postgres() {
  if [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then
    say "installing Debian's PostgreSQL 15"
    as_root apt-get update
    as_root apt-get install -y postgresql
  fi
}
