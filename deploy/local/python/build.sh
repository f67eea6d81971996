#!/usr/bin/env bash
# Build a CPython that Debian 12 does not package (3.13), for testing improvenet on the newest supported
# Python. The source is Debian's own upstream tarball (deb.debian.org is reachable where python.org may
# not be), checked against the SHA-256 that Debian's signed source index lists for it. The build is cached:
# a second run prints the interpreter's path at once.
#
#   deploy/local/python/build.sh   -> prints python3.13 on PATH if there is one, else .../python-3.13.5/bin/python3.13
set -euo pipefail

VERSION=3.13.5
SHA256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640  # trixie's python3.13_3.13.5.orig.tar.xz
CACHE=${IMPROVENET_CACHE:-$HOME/.cache/improvenet}
PREFIX=$CACHE/python-$VERSION
PYTHON=$PREFIX/bin/python${VERSION%.*}
TARBALL=$CACHE/python3.13_$VERSION.orig.tar.xz
URL=http://deb.debian.org/debian/pool/main/p/python3.13/python3.13_$VERSION.orig.tar.xz

for candidate in "$(command -v python${VERSION%.*} || true)" "$PYTHON"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid' 2>/dev/null; then
    echo "$candidate"; exit 0
  fi
done
mkdir -p "$CACHE"
if ! echo "$SHA256  $TARBALL" | sha256sum -c --status 2>/dev/null; then
  curl -fsSL --retry 3 -o "$TARBALL" "$URL"
  echo "$SHA256  $TARBALL" | sha256sum -c --status || { echo "checksum mismatch for $URL" >&2; exit 1; }
fi
missing=$(for p in gcc make libssl-dev zlib1g-dev libffi-dev libsqlite3-dev libbz2-dev liblzma-dev libreadline-dev uuid-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
  echo "installing build dependencies: $missing" >&2
  apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
fi
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
tar -xJf "$TARBALL" -C "$build" --strip-components=1
cd "$build"
# No --enable-optimizations: PGO triples the build time and a test interpreter does not need it.
./configure -q --prefix="$PREFIX" --with-ensurepip=install >"$build/configure.log" 2>&1 ||
  { tail -40 "$build/configure.log" >&2; exit 1; }
make -s -j"$(nproc)" >&2 2>"$build/make.log" || { tail -40 "$build/make.log" >&2; exit 1; }
make -s altinstall >"$build/install.log" 2>&1 || { tail -40 "$build/install.log" >&2; exit 1; }
"$PYTHON" -c 'import ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid' || { echo "the built Python lacks a module" >&2; exit 1; }
echo "$PYTHON"
