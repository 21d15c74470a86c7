"""What apps above strategy add to a discussion's page, without strategy importing them.

minutes registers its panel (open disputes) in its AppConfig.ready(); the page merges every
registered panel's context. Dependencies stay one way: agencies <- strategy <- minutes."""

from collections.abc import Callable
from typing import Any

from strategy.models import Discussion

Panel = Callable[[Discussion], dict[str, Any]]

_panels: list[Panel] = []


def discussion_panel_register(panel: Panel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def discussion_panels(discussion: Discussion) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for panel in _panels:
        context.update(panel(discussion))
    return context
