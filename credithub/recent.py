"""`Recent`: what was made lately for a key, kept in a bounded map.

The hub keeps several such maps on the request path (validation results, costs and prepared
documents by query text): each is the same least-recently-used rule, written once here.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """Values by key, at most `size` of them: the one used least lately goes first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._known: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[[], V]) -> V:
        """The value kept for `key`, else `make()`'s, kept from now on."""
        if key in self._known:
            self._known.move_to_end(key)
            return self._known[key]
        value = self._known[key] = make()
        if len(self._known) > self.size:
            self._known.popitem(last=False)
        return value
