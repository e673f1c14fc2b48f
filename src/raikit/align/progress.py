"""Rich progress for long alignment steps (generation and training)."""

from __future__ import annotations

from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


def new_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[note]}"),
    )


def trainer_callback(progress: Progress, description: str) -> Any:
    """A transformers ``TrainerCallback`` that shows steps and the last loss on ``progress``."""
    from transformers import TrainerCallback

    class RichCallback(TrainerCallback):
        def __init__(self) -> None:
            self.task = progress.add_task(description, total=None, note="")

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            progress.update(self.task, total=state.max_steps, completed=state.global_step)

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            progress.update(self.task, completed=state.global_step)

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            if logs and "loss" in logs:
                progress.update(self.task, note=f"loss {float(logs['loss']):.3f}")

    return RichCallback()
