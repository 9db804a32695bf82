#!/usr/bin/env bash
# The GPU training stack must resolve: pip's resolver on '.[train,deepspeed,vllm]' with the pins of
# constraints/gpu.txt, as a dry run (downloads metadata only, installs nothing, needs no GPU).
# Fails when pip cannot resolve it or resolves to other versions than the constraints name.
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
python="${PYTHON:-python3}"
report="$(mktemp -d)/report.json"
"$python" -m pip install -q --dry-run --ignore-installed --report "$report" \
    -c constraints/gpu.txt '.[train,deepspeed,vllm]'
"$python" - "$report" <<'PY'
import json, re, sys
chosen = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in json.load(open(sys.argv[1]))["install"]}
pins = dict(re.match(r"([\w-]+)==([\w.]+)", line).groups() for line in open("constraints/gpu.txt")
            if re.match(r"[\w-]+==", line))
wrong = {name: (version, chosen.get(name)) for name, version in pins.items() if chosen.get(name) != version}
assert not wrong, f"GPU stack resolved to other versions than constraints/gpu.txt (pin, got): {wrong}"
print(f"GPU stack resolves: {', '.join(f'{n}=={chosen[n]}' for n in sorted(pins))}")
PY
