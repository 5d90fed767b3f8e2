"""Sets of terms whose Jaccard similarity reaches a threshold: the overlaps report's search for
near-identical names and descriptions (:mod:`services.reporting.reports.overlaps`)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|a ∩ b| / |a ∪ b|; two empty sets are not alike (0)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def candidates(
    sets: Sequence[frozenset[str]], frequency: Counter[str], threshold: float
) -> list[set[int]]:
    """For each set (by index), the earlier sets that may reach a Jaccard similarity of
    ``threshold`` with it, and only those :func:`similar_sets` checks: prefix filtering over
    the terms in order of rarity, with the positional filter of PPJoin, which never drops a
    pair that passes: after a shared term, the terms left must still be able to make the
    overlap the threshold needs. The index keeps each term's sets by their size and the term's
    position, so a whole group that cannot pass is skipped but for the sets already met."""
    ordered = [sorted(s, key=lambda t: (frequency[t], t)) for s in sets]
    # term -> (size of the set, position of the term in it) -> the sets
    index: dict[str, dict[tuple[int, int], set[int]]] = defaultdict(lambda: defaultdict(set))
    needed: dict[tuple[int, int], int] = {}
    found: list[set[int]] = []
    for x, tokens in enumerate(ordered):
        lx = len(tokens)
        overlap: dict[int, int] = {}  # sets met so far: shared terms, or -1 once ruled out
        met: set[int] = set()  # those not ruled out
        for i, token in enumerate(tokens[: lx - math.ceil(threshold * lx) + 1]):
            for (ly, j), ys in index[token].items():
                if (lx, ly) not in needed:
                    # |x ∩ y| ≥ t/(1+t)·(|x|+|y|) for a Jaccard of t; a hair less, for rounding
                    needed[lx, ly] = math.ceil(threshold * (lx + ly) / (1 + threshold) - 1e-9)
                need, rest = needed[lx, ly], min(lx - i - 1, ly - j - 1)
                # A set first met here cannot pass (nor later, where less is left): only the
                # sets met before need looking at.
                for y in ys if 1 + rest >= need else ys & met:
                    seen = overlap.get(y, 0)
                    if seen < 0:
                        continue
                    if seen + 1 + rest >= need:
                        overlap[y] = seen + 1
                        met.add(y)
                    else:
                        overlap[y] = -1
                        met.discard(y)
            index[token][lx, i].add(x)
        found.append(met)
    return found


def similar_sets(
    sets: Sequence[frozenset[str]], frequency: Counter[str], threshold: float
) -> list[tuple[int, int]]:
    """Pairs (by index) of distinct term sets whose Jaccard similarity is at least
    ``threshold``, each set with itself: of the :func:`candidates`, those that pass."""
    found: list[tuple[int, int]] = []
    for x, earlier in enumerate(candidates(sets, frequency, threshold)):
        found.append((x, x))
        found += [(y, x) for y in earlier if jaccard(sets[y], sets[x]) >= threshold]
    return found
