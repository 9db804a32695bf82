"""The `--model` grammar (docs/contracts.md) and `--backend-args` parsing: from what the user
typed to a constructed backend, with a clear BackendConfigError for anything they can fix.

    oracle | tiny | nano | PATH | hf:PATH_OR_HUB_ID | vllm:PATH_OR_HUB_ID | openai:URL[#NAME] | ORG/NAME
"""

from __future__ import annotations

import difflib
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orsta_bench.backends.errors import BackendConfigError
from orsta_bench.keyvalue import parse_pairs

BUILTIN = ("oracle", "tiny", "nano")
PREFIXES = ("hf", "vllm", "openai")
# Accepted --backend-args keys per backend (values typed as orsta_bench.keyvalue documents).
BACKEND_ARGS: dict[str, tuple[str, ...]] = {
    "oracle": (),
    "hf": ("dtype", "device", "attn_implementation"),
    "vllm": ("dtype", "tensor_parallel_size", "max_model_len", "gpu_memory_utilization",
             "max_in_flight", "enforce_eager", "limit_images"),
    "openai": ("concurrency", "timeout", "max_retries", "backoff", "max_backoff", "api_key_env"),
}


@dataclass(frozen=True)
class ModelRef:
    """What --model names: which backend, and the path / hub id / URL it loads."""

    spec: str  # as typed, for fingerprints and displays
    backend: str  # oracle | hf | vllm | openai
    target: str = ""  # local path, hub id or base URL
    model_name: str = ""  # openai served-model name
    builtin: str = ""  # tiny | nano when built in
    options: dict[str, Any] = field(default_factory=dict)


def parse_kv(text: str | None, flag: str) -> dict[str, Any]:
    """'k=v,k2=v2' -> {k: v}, values typed as orsta_bench.keyvalue documents."""
    try:
        return parse_pairs((text or "").split(","), flag, "dtype=float32,device=cpu")
    except ValueError as error:
        raise BackendConfigError(str(error)) from None


def parse_model(spec: str, model_name: str | None = None) -> ModelRef:
    """Apply the grammar; raises BackendConfigError with the fix when `spec` cannot work."""
    spec = spec.strip()
    if not spec:
        raise BackendConfigError("--model is empty; try --model tiny, a local folder, or openai:URL#NAME")
    if spec in BUILTIN:
        if spec == "oracle":
            return ModelRef(spec, "oracle")
        return ModelRef(spec, "hf", builtin=spec)
    prefix, sep, rest = spec.partition(":")
    _refuse_unknown_name(spec, prefix if sep else "")
    if sep and prefix in PREFIXES and not _is_windows_drive(prefix):
        if prefix == "openai":
            url, _, name = rest.partition("#")
            name = name or (model_name or "")
            if not url.startswith(("http://", "https://")):
                raise BackendConfigError(f"--model {spec}: expected openai:http(s)://HOST[:PORT]/v1#NAME")
            if not name:
                raise BackendConfigError(f"--model {spec}: the served model name is missing; add "
                                         "--model-name NAME or write openai:URL#NAME")
            return ModelRef(spec, "openai", target=url, model_name=name)
        if not rest:
            raise BackendConfigError(f"--model {spec}: nothing after '{prefix}:'; give a local folder or hub id")
        if rest in ("tiny", "nano"):
            return ModelRef(spec, prefix, builtin=rest)
        return ModelRef(spec, prefix, target=_local_or_hub(rest, spec))
    return ModelRef(spec, "hf", target=_local_or_hub(spec, spec))


def _refuse_unknown_name(spec: str, prefix: str) -> None:
    """A bare word that is no built-in name, local path or ORG/NAME hub id (`tinyy`), or an
    unknown `PREFIX:` (`foo:bar`): refuse now, with the closest name, before anything loads."""
    if Path(spec).expanduser().exists() or _is_windows_drive(prefix) or prefix in PREFIXES:
        return
    if prefix and prefix.replace("-", "").replace("_", "").isalnum():
        close = difflib.get_close_matches(prefix, PREFIXES, n=1)
        hint = f"did you mean {close[0]}:{spec[len(prefix) + 1:]}? " if close else ""
        raise BackendConfigError(f"--model {spec}: unknown prefix '{prefix}:'; {hint}{_GRAMMAR}")
    if not prefix and "/" not in spec and not spec.startswith((".", "~")):
        close = difflib.get_close_matches(spec.lower(), BUILTIN, n=1)
        hint = f"did you mean {close[0]}? " if close else f"a hub id with no ORG/ is written hf:{spec}; "
        raise BackendConfigError(f"--model {spec}: not a built-in model, a local folder or an ORG/NAME "
                                 f"hub id; {hint}{_GRAMMAR}")


_GRAMMAR = (f"built-in: {', '.join(BUILTIN)}; prefixes: {', '.join(p + ':' for p in PREFIXES)} "
            "(hf:ID, vllm:ID, openai:URL#NAME), or a local model folder")


def _is_windows_drive(prefix: str) -> bool:
    return len(prefix) == 1


def _local_or_hub(target: str, spec: str) -> str:
    path = Path(target).expanduser()
    if path.exists():
        if not path.is_dir() or not (path / "config.json").is_file():
            raise BackendConfigError(f"--model {spec}: {path} is not a model folder (no config.json "
                                     "in it); pass the folder holding config.json and the processor files")
        return str(path.resolve())
    looks_local = target.startswith((".", "/", "~")) or target.count("/") > 1
    if looks_local:
        raise BackendConfigError(f"--model {spec}: no such folder {path}; check the path")
    return target  # a hub id; located (cache or network) when the backend is built


def locate_hub_model(hub_id: str, spec: str) -> str:
    """A hub id -> a local folder from the HF cache, else the id itself when the hub is
    reachable; with no network, a clear error saying to pass a local folder."""
    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(hub_id, local_files_only=True)
    except Exception:  # not cached (or hub library missing): try the network below
        pass
    offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0") or not _hub_reachable()
    if offline:
        raise BackendConfigError(
            f"--model {spec}: {hub_id!r} is not a local folder and the Hugging Face hub cannot be "
            "reached (offline). Download the model where there is network and pass its local folder: "
            f"--model /path/to/{hub_id.split('/')[-1]}")
    return hub_id


def _hub_reachable(host: str = "huggingface.co", timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, 443), timeout=timeout):
            return True
    except OSError:
        return False


def nano_path() -> str:
    """The shipped nano-Orsta checkpoint (orsta_bench/models/nano_orsta, docs/NANO.md)."""
    from orsta_bench.models.nano import NanoMissingError, nano_model_path

    try:
        return str(nano_model_path())
    except NanoMissingError as error:
        raise BackendConfigError(f"--model nano: {error}") from None


def model_folder(ref: ModelRef) -> str:
    """The local folder an hf or vllm ModelRef loads: the built-in tiny (text-only for vllm) or
    nano, a folder as given, or a hub id found in the local cache (BackendConfigError if not)."""
    if ref.builtin == "tiny":
        from orsta_bench.models.tiny import tiny_model_path, tiny_text_model_path

        return str(tiny_text_model_path() if ref.backend == "vllm" else tiny_model_path())
    if ref.builtin == "nano":
        return nano_path()
    if Path(ref.target).exists():
        return ref.target
    return locate_hub_model(ref.target, ref.spec)


def check_backend_args(backend: str, args: dict[str, Any]) -> None:
    allowed = BACKEND_ARGS[backend]
    unknown = sorted(set(args) - set(allowed))
    if unknown:
        accepted = ", ".join(allowed) or "none"
        raise BackendConfigError(f"--backend-args: unknown key(s) {', '.join(unknown)} for the "
                                 f"{backend} backend (accepted: {accepted})")


def build_backend(ref: ModelRef, *, batch_size: int = 8, backend_args: dict[str, Any] | None = None,
                  seed: int = 0) -> Any:
    """Construct the backend `ref` names (heavy imports happen here, not at import time)."""
    args = dict(backend_args or {})
    check_backend_args(ref.backend, args)
    try:
        return _construct(ref, batch_size, args, seed)
    except TypeError as error:  # a backend arg of the wrong type (e.g. concurrency=abc)
        raise BackendConfigError(f"--backend-args: bad value for the {ref.backend} backend "
                                 f"({error})") from None


def _construct(ref: ModelRef, batch_size: int, args: dict[str, Any], seed: int) -> Any:
    if ref.backend == "oracle":
        from orsta_bench.backends.oracle import OracleBackend

        return OracleBackend()
    if ref.backend == "openai":
        from orsta_bench.backends.openai import OpenAIBackend

        return OpenAIBackend(ref.target, ref.model_name, **args)
    target = model_folder(ref)
    label = ref.builtin or ref.target
    if ref.backend == "vllm":
        from orsta_bench.backends.vllm import VLLMBackend

        return VLLMBackend(target, label=label, seed=seed, **args)
    from orsta_bench.backends.hf import HFBackend

    try:
        return HFBackend(target, batch_size=batch_size, label=label, **args)
    except (OSError, ValueError) as error:
        if isinstance(error, BackendConfigError):
            raise
        raise BackendConfigError(f"--model {ref.spec}: cannot load {target} with transformers "
                                 f"({type(error).__name__}: {str(error)[:300]})") from None
