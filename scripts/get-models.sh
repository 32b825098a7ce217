#!/usr/bin/env bash
# The real-model zoo for tests and benchmarks: torchvision architectures exported by PyTorch with seeded
# random weights (scripts/export-zoo.py), each as `eval()` + constant folding (BN folded) and as
# `training=PRESERVE` (BatchNormalization kept, its parameters behind Identity), dynamic and fixed batch.
# Installs Debian's python3-torch, python3-torchvision and python3-onnx with apt when they are missing
# (about 1 GB installed; needs root). Idempotent: files already exported are kept.
#
#   scripts/get-models.sh [MODEL…]      Cache: $NNCF_TS_ZOO or <repo>/.cache/zoo
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${NNCF_TS_ZOO:-$root/.cache/zoo}"
py=/usr/bin/python3   # Debian's python, where apt installs torch (not a pyenv/venv python on PATH)

fail() { echo "get-models: $1" >&2; exit 1; }

have_torch() { [ -x "$py" ] && "$py" -c 'import torch, torchvision, onnx' >/dev/null 2>&1; }

# apt-get with retries while another process holds the dpkg/apt lock.
apt_retry() {
  local i
  for i in $(seq 1 40); do
    if DEBIAN_FRONTEND=noninteractive apt-get "$@"; then return 0; fi
    echo "get-models: apt-get $1 failed (lock held by another apt?), retry $i/40 in 15 s" >&2
    sleep 15
  done
  return 1
}

if ! have_torch; then
  command -v apt-get >/dev/null || fail "python3-torch is missing and apt-get is not available"
  [ "$(id -u)" = 0 ] || fail "python3-torch is missing; installing it needs root (apt-get install python3-torch python3-torchvision python3-onnx)"
  start=$(date +%s)
  apt_retry update -qq || fail "apt-get update failed"
  apt_retry install -y -qq --no-install-recommends python3-torch python3-torchvision python3-onnx \
    || fail "cannot install python3-torch python3-torchvision python3-onnx"
  echo "get-models: installed torch in $(( $(date +%s) - start )) s"
  have_torch || fail "torch installed but '$py -c \"import torch, torchvision, onnx\"' fails"
fi

mkdir -p "$out"
OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}" "$py" "$root/scripts/export-zoo.py" "$out" "$@"
echo "get-models: ready at $out"
