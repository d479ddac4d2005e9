#!/usr/bin/env bash
# Installs what `make demo` and `make test` use and is missing on a fresh Debian machine:
# OpenBLAS's run-time library, which no result uses but `clot bench --suite gemm` and the
# sgemm agreement tests compare the project's own fixed-order sgemm with (they skip, saying so,
# without it). The Swift toolchain itself is a prerequisite.
set -euo pipefail

need=()
for pkg in libopenblas0; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${need[*]}"
echo "bootstrap: installing ${need[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
    sh -c "$cmd"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo sh -c "$cmd"
else
    echo "bootstrap: cannot install ${need[*]} without root. Run:" >&2
    echo "    sudo sh -c '$cmd'" >&2
    exit 1
fi
