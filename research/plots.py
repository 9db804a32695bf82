"""Training curves for docs/NANO.md (matplotlib, PNG): SFT loss per task, and from orsta-train's
metrics.jsonl the GRPO reward, accuracy per source, response length and IoU threshold.

    python -m research.plots --run DIR --out docs/nano
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    for line in path.read_text().splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a torn last line of a killed run
    return rows


def series(rows: list[dict[str, Any]], key: str, step_key: str = "step") -> tuple[list[float], list[float]]:
    points = [(r.get(step_key, i + 1), r[key]) for i, r in enumerate(rows) if isinstance(r.get(key), (int, float))]
    return [p[0] for p in points], [p[1] for p in points]


def _smooth(values: list[float], window: int) -> list[float]:
    out = []
    for i in range(len(values)):
        part = values[max(0, i - window + 1): i + 1]
        out.append(sum(part) / len(part))
    return out


def plot_run(run: Path, out: Path, smooth: int = 3, grpo: str = "grpo") -> list[Path]:
    """Write sft_loss.png (if RUN/sft_log.jsonl exists) and <grpo>_*.png (if RUN/<grpo>/metrics.jsonl)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        fig.savefig(out / name, dpi=90)
        plt.close(fig)
        written.append(out / name)

    if grpo == "grpo" and (run / "sft_log.jsonl").exists():
        rows = read_jsonl(run / "sft_log.jsonl")
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for key in sorted({k for r in rows for k in r if k.startswith("loss/")}):
            x, y = series(rows, key)
            ax.plot(x, y, label=key.split("/", 1)[1])
        ax.set(xlabel="SFT step", ylabel="answer-token loss", title="SFT: loss per task", yscale="log")
        ax.legend(fontsize=7)
        save(fig, "sft_loss.png")
    metrics = run / grpo / "metrics.jsonl"
    if metrics.exists():
        rows = [r for r in read_jsonl(metrics) if "reward" in r]
        panels = [("reward", ["reward"], "mean reward"),
                  ("accuracy", sorted({k for r in rows for k in r if k.startswith("source/") and k.endswith("/accuracy")}), "accuracy (training samples)"),
                  ("length", ["completions/mean_length"], "mean completion tokens"),
                  ("iou_threshold", sorted({k for r in rows for k in r if k.endswith("/threshold")}), "IoU threshold of the reward")]
        for name, keys, label in panels:
            fig, ax = plt.subplots(figsize=(6, 3.5))
            for key in keys:
                x, y = series(rows, key)
                if y:
                    ax.plot(x, _smooth(y, 1 if name == "iou_threshold" else smooth), label=key.replace("source/", "").replace("/accuracy", ""))
            ax.set(xlabel="GRPO step", ylabel=label, title=f"{grpo}: {label}")
            if len(keys) > 1:
                ax.legend(fontsize=7)
            save(fig, f"{grpo}_{name}.png")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m research.plots")
    parser.add_argument("--run", type=Path, required=True, help="a rebuild output folder")
    parser.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument("--grpo", default="grpo", help="GRPO output folder inside --run (e.g. ablation_joint_vision)")
    args = parser.parse_args(argv)
    if not args.run.is_dir():
        parser.error(f"--run {args.run}: not a folder")
    for path in plot_run(args.run, args.out, grpo=args.grpo):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
