"""Related notes: for each note, the notes closest to it in the link graph that it does not
link with directly, ranked by the Adamic–Adar index (Σ 1/log(degree) over the neighbours two
notes share: a shared neighbour counts more the fewer links it has).

Links count in both directions and embeds count as links; missing notes and tags are not
neighbours. A hub linked with more than `HUB` notes is not counted as a shared neighbour:
it would relate everything to everything, and it would make the work quadratic.

Kept from one plan to the next (`serve`): a note's list depends only on its neighbours and
their neighbours, so only notes next to a note whose links changed are ranked again.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

HUB = 64  # more neighbours than this: not a shared neighbour
SHOWN = 5  # related notes per note

Adjacency = dict[str, frozenset[str]]


def adjacency(
    notes: Iterable[str],
    links_out: Mapping[str, set[str]],
    links_in: Mapping[str, Mapping[str, object]],
) -> Adjacency:
    """Each note's neighbours: the notes it links to or is linked from, itself excluded
    (`links_out`/`links_in` as in LinkGraph: targets include missing notes, sources do not)."""
    names = frozenset(notes)
    empty: frozenset[str] = frozenset()
    adj: Adjacency = {}
    for note in names:
        near = links_out.get(note, empty) & names
        near |= links_in.get(note, {}).keys()
        adj[note] = frozenset(near - {note})
    return adj


class Related:
    """The related notes of every note, made on demand and kept while still right."""

    def __init__(self, adj: Adjacency, previous: Related | None = None) -> None:
        self.adj = adj
        self._lists: dict[str, tuple[str, ...]] = {}
        if previous is not None:
            stale = _affected(previous.adj, adj)
            self._lists = {n: r for n, r in previous._lists.items() if n in adj and n not in stale}

    def of(self, note: str) -> tuple[str, ...]:
        """Up to SHOWN notes, best first (ties: by path), none linked with `note` directly."""
        found = self._lists.get(note)
        if found is None:
            found = self._lists[note] = self._rank(note)
        return found

    def _rank(self, note: str) -> tuple[str, ...]:
        adj = self.adj
        near = adj.get(note, frozenset())
        scores: defaultdict[str, float] = defaultdict(float)
        for middle in sorted(near):  # a fixed order: the same sums to the last bit
            around = adj[middle]
            if not 2 <= len(around) <= HUB:  # only `note` itself, or a hub
                continue
            weight = 1.0 / math.log(len(around))
            for other in around:
                scores[other] += weight
        scores.pop(note, None)
        for direct in near:
            scores.pop(direct, None)
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
        return tuple(name for name, _score in best[:SHOWN])


def _affected(old: Adjacency, new: Adjacency) -> set[str]:
    """Notes whose related list may differ: those whose neighbours changed, and the
    neighbours (before or after) of such a note unless it is a hub both times."""
    stale: set[str] = set()
    for note in old.keys() | new.keys():
        before, after = old.get(note, frozenset()), new.get(note, frozenset())
        if before == after:
            continue
        stale.add(note)
        if len(before) <= HUB or len(after) <= HUB:
            stale.update(before)
            stale.update(after)
    return stale
