"""leaderboard/index.html: a static page that opens from the file system with no server and no
network (inline CSS and a few lines of inline JS for sorting; a content security policy forbids
any fetch). Everything is rendered here, escaped, so the page shows the same without JS."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from importlib import resources
from string import Template
from typing import Any

from orsta_bench.results.leaderboard import Entry, columns, is_incomplete, megabench_columns, slug
from orsta_bench.results.leaderboard_checks import (
    chance_row,
    limit_warning,
    sample_counts,
    samples_cell,
)
from orsta_bench.results.table import INCOMPLETE_MARK, interval, percent


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


def _heat(value: float | None) -> str:
    """A red (0) to green (1) background; grey when there is no score."""
    if value is None:
        return "background:#eceef2"
    hue = round(120 * max(0.0, min(1.0, value)))
    return f"background:hsl({hue},65%,82%)"


def _score_cell(entry: dict[str, Any], bar: bool = False) -> str:
    score = entry.get("score")
    if score is None:
        return '<td data-value="">-</td>'
    width = f'<span class="bar" style="width:{4 * score:.2f}rem"></span>' if bar else ""
    ci = interval(entry)
    ci_html = f' <span class="ci">{_e(ci)}</span>' if ci else ""
    mark = f' <span class="bad">{INCOMPLETE_MARK}</span>' if is_incomplete(entry) else ""
    return f'<td data-value="{_number(score)}">{width}{percent(score)}{ci_html}{mark}</td>'


def _board(entries: list[Entry], suites: list[str], families: list[str]) -> tuple[str, str]:
    def th(label: str, kind: str, css: str = "") -> str:
        klass = f' class="{css}"' if css else ""
        return f'<th data-kind="{kind}"{klass}><button type="button">{_e(label)}</button></th>'

    head = [th("#", "number"), th("model", "text", "text")]
    parts = megabench_columns(entries)
    head += [th(f"{suite}", "number") for suite in suites]
    head += [th(f"MEGA-Bench {part.capitalize()}", "number") for part in parts]
    head += [th(family, "number") for family in families]
    head += [th("samples", "number"), th("date", "text", "text"), th("specs", "text", "text")]
    rows = []
    for rank, entry in enumerate(entries, start=1):
        anchor = f"task-{slug(entry.name)}"
        cells = [f'<td data-value="{rank}">{rank}</td>',
                 f'<td class="text" data-value="{_e(entry.name.lower())}">'
                 f'<a href="#{_e(anchor)}">{_e(entry.name)}</a></td>']
        cells += [_score_cell(entry.suite(s), bar=True) for s in suites]
        cells += [_score_cell(entry.megabench(p), bar=True) for p in parts]
        cells += [_score_cell({"score": entry.family(f).get("score")}) for f in families]
        cells += [f'<td data-value="{sample_counts(entry.results)[1]}">{_e(samples_cell(entry.results))}</td>',
                  f'<td class="text" data-value="{_e(entry.date)}">{_e(entry.date or "-")}</td>',
                  f'<td class="text" data-value="{_e(entry.spec_fingerprint)}">'
                  f'<code>{_e(entry.spec_fingerprint)}</code></td>']
        rows.append(f'<tr data-model="{_e(entry.name)}">' + "".join(cells) + "</tr>")
    return "".join(head), "\n".join(rows)


def _chance_foot(entries: list[Entry], suites: list[str], families: list[str]) -> str:
    """The chance-level row under the model rows (a tfoot, so sorting never moves it)."""
    chance = chance_row([e.results for e in entries], suites, families)
    if chance is None:
        return ""
    cells = ['<td></td>', '<td class="text"><em>chance level</em></td>']
    cells += [f"<td>{percent(chance[f'suite:{s}'])}</td>" for s in suites]
    cells += ["<td>-</td>"] * len(megabench_columns(entries))
    cells += [f"<td>{percent(chance[f'family:{f}'])}</td>" for f in families]
    cells += ["<td></td>"] * 3
    return '<tfoot><tr class="chance">' + "".join(cells) + "</tr></tfoot>"


def _heatmap(entries: list[Entry], families: list[str]) -> tuple[str, str]:
    head = "<th>model</th>" + "".join(f"<th>{_e(f)}</th>" for f in families)
    rows = []
    for entry in entries:
        cells = [f'<td class="text">{_e(entry.name)}</td>']
        for family in families:
            data = entry.family(family)
            score = data.get("score")
            title = f"{family}: {percent(score)} {interval(data)}".strip()
            cells.append(f'<td class="heat" style="{_heat(score)}" title="{_e(title)}">'
                         f"{percent(score)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return head, "\n".join(rows)


def _failures(entry: dict[str, Any]) -> str:
    counts = entry.get("status_counts", {})
    parts = [f"{name} {count}" for name, count in sorted(counts.items()) if name != "ok" and count]
    return ", ".join(parts)


def _drilldown(entries: list[Entry]) -> str:
    blocks = []
    for entry in entries:
        rows = []
        for name, task in sorted(entry.results.get("tasks", {}).items()):
            failed = _failures(task)
            rows.append(
                f'<tr><td class="text">{_e(name)}</td><td class="text">{_e(task.get("suite", ""))}'
                f'</td><td class="text">{_e(task.get("family", ""))}</td>'
                f'<td style="{_heat(task.get("score"))}">{percent(task.get("score"))}</td>'
                f'<td class="ci">{_e(interval(task))}</td>'
                f'<td>{percent(task.get("chance"))}</td>'
                f'<td>{task.get("n_scored", 0)}/{task.get("n", 0)}</td>'
                f'<td class="text{" bad" if failed else ""}">{_e(failed)}</td></tr>')
        hashes = entry.results.get("spec_hashes") or {}
        spec_list = ", ".join(f"{_e(k)}=<code>{_e(v)}</code>" for k, v in sorted(hashes.items()))
        blocks.append(
            f'<details id="task-{_e(slug(entry.name))}"><summary>{_e(entry.name)}</summary>'
            '<table><thead><tr><th>task</th><th class="text">suite</th><th class="text">family'
            '</th><th>score</th><th>95% CI</th><th>chance</th><th>scored/n</th><th class="text">statuses</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>'
            f'<p class="note">spec hashes: {spec_list or "-"}</p></details>')
    return "\n".join(blocks) or '<p class="note">No results yet.</p>'


def render_html(entries: list[Entry], generated: str | None = None) -> str:
    """The whole page for these board entries (already in board order)."""
    suites, families = columns(entries)
    board_head, board_rows = _board(entries, suites, families)
    heat_head, heat_rows = _heatmap(entries, families)
    template = Template(resources.files("orsta_bench.results").joinpath(
        "templates/leaderboard.html").read_text(encoding="utf-8"))
    stamp = generated or datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    warning = limit_warning([(e.name, e.results) for e in entries])
    return template.substitute(
        count=len(entries), generated=_e(stamp), board_head=board_head, board_rows=board_rows,
        board_foot=_chance_foot(entries, suites, families),
        warning=f'<p class="note bad" id="limit-warning">Warning: {_e(warning)}</p>' if warning else "",
        heat_head=heat_head, heat_rows=heat_rows, drilldown=_drilldown(entries))
