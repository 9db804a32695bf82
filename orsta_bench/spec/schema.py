"""The task spec schema: what a YAML file under tasks/ may say, validated by pydantic.

One spec defines the prompt, the data source, the verifier and the aggregation; the evaluator
and the trainer both read it, so the reward and the score come from the same place.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Category = Literal["perception", "reasoning"]
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceSpec(BaseModel):
    """Where samples come from. `kind` picks a registered source; the other keys are that
    source's own parameters, checked against its parameter model (see orsta_bench.sources)."""

    model_config = ConfigDict(extra="allow")

    kind: str

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})

    @model_validator(mode="after")
    def _check_kind_and_params(self) -> SourceSpec:
        from orsta_bench.sources.registry import validate_source_params

        validate_source_params(self.kind, self.params)
        return self


PromptFormat = Literal["boxed", "answer_tag", "vtriune", "answer_line", "json", "plain"]


class PromptSpec(_Strict):
    """How a sample's fields become the user message.

    `template` is a str.format template over the fields the source provides ({question} by
    default); `instruction` is appended after a blank line; `format` names the answer format
    the model is asked for (the oracle answers in it, format rewards check it)."""

    template: str = "{question}"
    instruction: str = ""
    system: str | None = None
    format: PromptFormat = "plain"


class VerifierSpec(_Strict):
    name: str
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_registered(self) -> VerifierSpec:
        from orsta_bench.verifiers.registry import validate_verifier_params

        validate_verifier_params(self.name, self.params)
        return self


class RewardSpec(_Strict):
    """Weights of the accuracy and format parts; combined as V-Triune does:
    value = acc * a/(a+f) + fmt * f/(a+f)."""

    accuracy_weight: float = Field(1.0, ge=0)
    format_weight: float = Field(0.0, ge=0)

    @model_validator(mode="after")
    def _not_both_zero(self) -> RewardSpec:
        if self.accuracy_weight + self.format_weight <= 0:
            raise ValueError("accuracy_weight + format_weight must be > 0")
        return self


class GenerationSpec(_Strict):
    max_new_tokens: int = Field(512, gt=0)
    temperature: float = Field(0.0, ge=0)
    top_p: float = Field(1.0, gt=0, le=1)
    stop: list[str] = Field(default_factory=list)


class TaskSpec(_Strict):
    name: str = Field(pattern=NAME_PATTERN)
    suite: str = Field(pattern=NAME_PATTERN)
    category: Category
    family: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = ""
    data_source: str | None = None
    source: SourceSpec
    prompt: PromptSpec = Field(default_factory=PromptSpec)
    verifier: VerifierSpec
    reward: RewardSpec = Field(default_factory=RewardSpec)
    metric: Literal["mean", "megabench"] = "mean"
    dimensions: dict[str, str | list[str]] = Field(default_factory=dict)
    generation: GenerationSpec = Field(default_factory=GenerationSpec)
    chance: float | None = Field(None, ge=0, le=1)  # score of uniform guessing (1/k for k options)

    @field_validator("dimensions")
    @classmethod
    def _dimension_values_not_empty(cls, value: dict[str, str | list[str]]) -> dict:
        for key, item in value.items():
            if item in ("", []):
                raise ValueError(f"dimension {key!r} is empty")
        return value

    @model_validator(mode="after")
    def _one_answer_format(self) -> TaskSpec:
        """The answer format is stated once. `prompt.format` (what the model is asked for, what
        the oracle writes) follows the verifier's `answer_format` param when only that one is
        given; both given and different is an error; the verifier's default `auto` reads every
        format, so it never disagrees (docs/specs.md, "One answer format")."""
        checked = self.verifier.params.get("answer_format", "auto")
        if checked == self.prompt.format or checked not in get_args(PromptFormat):
            return self  # `auto` (or a non-native verifier's own value) never disagrees
        if "format" in self.prompt.model_fields_set:
            raise ValueError(f"prompt.format {self.prompt.format!r} and verifier.params.answer_format "
                             f"{checked!r} disagree; state the answer format once (drop one of them)")
        self.prompt.format = checked
        return self

    @property
    def source_name(self) -> str:
        return self.data_source or self.name

    def verifier_params(self) -> dict[str, Any]:
        """The params every sample of this task is scored with (reward weights included)."""
        params = dict(self.verifier.params)
        params["reward"] = self.reward.model_dump()
        return params
