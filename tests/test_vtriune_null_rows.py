"""V-Triune rows as the real parquet has them (nulls wherever a field does not apply) score as the
released reward server scores them (tests/fixtures/vtriune/README.md says how the values were
obtained). Null means absent, at every level, for both `vtriune.*` verifiers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orsta_bench.interop.vtriune import read_vtriune
from orsta_bench.reward import eval_context, score_sample

FIXTURES = Path(__file__).parent / "fixtures" / "vtriune"
CASES = json.loads((FIXTURES / "null_rows_cases.json").read_text())
SERVER = json.loads((FIXTURES / "null_rows_server.json").read_text())
SAMPLES = {sample.id: sample for sample in read_vtriune(FIXTURES / "null_rows.parquet")}
# Where the server turns a configuration mistake into a silent 0, orsta-bench reports `error`.
SERVER_SILENT_ZERO = {"det_all_null_weights"}
# A null weight is an absent weight (0) here; the server crashes on it (None < 0) and gives 0.
DIFFERS = {"det_some_null_weights"}


def _score(ident: str):
    case = CASES[ident]
    context = eval_context(image_grid_thw=case["image_grid_thw"]) if case["image_grid_thw"] else eval_context()
    return score_sample(SAMPLES[ident], case["response"], context)


@pytest.mark.parametrize("ident", sorted(set(SERVER) - SERVER_SILENT_ZERO - DIFFERS))
def test_null_rows_score_like_the_released_server(ident: str) -> None:
    score, server = _score(ident), SERVER[ident]
    assert score.status.value in ("ok", "no_answer"), score.detail
    assert score.accuracy == pytest.approx(server["accuracy_reward"], abs=1e-6)
    assert score.format == pytest.approx(server["format_reward"], abs=1e-6)
    assert score.value == pytest.approx(server["final_reward"], abs=1e-6)


def test_every_server_value_is_checked() -> None:
    assert set(SERVER) == set(CASES) == set(SAMPLES)


def test_all_null_detection_weights_are_an_error_not_a_silent_zero() -> None:
    assert SERVER["det_all_null_weights"]["final_reward"] == 0.0
    score = _score("det_all_null_weights")
    assert score.status.value == "error"
    assert "all component weights are 0" in score.detail


def test_a_null_detection_weight_is_an_absent_weight() -> None:
    """Documented difference (docs/verifiers.md): the server scores the row 0 (TypeError on None);
    here the null weights weigh 0 and the others apply, exactly like the released weights."""
    assert SERVER["det_some_null_weights"]["final_reward"] == 0.0
    score = _score("det_some_null_weights")
    assert score.status.value == "ok"
    assert score.value == pytest.approx(SERVER["det_null_normalized"]["final_reward"], abs=1e-6)


def test_math_row_params_hold_no_nulls() -> None:
    assert SAMPLES["math_nulls_right"].verifier.params == {"accuracy_ratio": 1.0, "format_ratio": 0.0}
    assert SAMPLES["math_null_everything"].verifier.params == {}


@pytest.mark.parametrize("verifier", ["vtriune.mathverify", "vtriune.detection"])
def test_nulls_in_spec_params_mean_absent(verifier: str) -> None:
    """Not only parquet rows: a spec (or `orsta-bench score` record) with nulls scores the same."""
    from orsta_bench.reward import score

    ident = "math_nulls_tagged" if verifier.endswith("mathverify") else "det_null_normalized"
    sample, case = SAMPLES[ident], CASES[ident]
    context = eval_context(image_grid_thw=case["image_grid_thw"]) if case["image_grid_thw"] else eval_context()
    nulls = {"accuracy_ratio": None, "format_ratio": None, "answer": None, "verifier_parm": {
        "det_verifier_normalized": None,
        "det_reward_ratio": {**dict.fromkeys(("map", "map50", "map75", "iou_max_iou_first")),
                             "iou_max_label_first": 1.0, "iou_completeness": 0.3}}}
    got = score(verifier, case["response"], sample.ground_truth, nulls, context)
    assert got.status.value == "ok", got.detail
    assert got.value == pytest.approx(SERVER[ident]["final_reward"], abs=1e-6)
