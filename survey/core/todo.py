""""What needs doing today" on the home page: each domain contributes its own items."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

# Lower is more urgent; the home page lists items in this order.
OVERDUE, WAITING, ENDING, REVIEW = 0, 1, 2, 3


@dataclass(frozen=True)
class TodoItem:
    urgency: int
    text: str
    count: int
    url: str


Provider = Callable[[object], list[TodoItem]]
_providers: list[Provider] = []


def provider(function: Provider) -> Provider:
    """Register a function that returns the items a user should see (decorator)."""
    if function not in _providers:
        _providers.append(function)
    return function


def collect(user) -> list[TodoItem]:
    items = [item for function in _providers for item in function(user) if item.count]
    return sorted(items, key=lambda item: (item.urgency, -item.count))
