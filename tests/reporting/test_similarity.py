"""The overlaps report's search for near-identical term sets
(:mod:`services.reporting.reports.similarity`): which earlier sets each set is checked against
(the candidates of PPJoin's prefix and positional filters), worked out by hand from the rules,
and a pair the filters must not lose. Found by mutation testing (docs/testing.md): every
similar pair is checked with ``jaccard`` at the end, so a filter that lets too much through
shows only here, in the work the report does on the national register.

The rules, for a threshold t: a set's terms are ordered rarest first (ties by the term); its
prefix is its first ``|x| - ceil(t·|x|) + 1`` terms, and only prefixes are indexed and looked
up. Two sets of sizes lx and ly need ``ceil(t·(lx + ly) / (1 + t))`` shared terms; after a
shared term at positions i and j at most ``min(lx - i - 1, ly - j - 1)`` more can follow, so a
set met first where ``1 + rest`` is short of the need is passed over, and one met before is
ruled out where its shared terms so far plus ``1 + rest`` are.
"""

from __future__ import annotations

from collections import Counter

from services.reporting.reports.similarity import candidates, similar_sets


def fs(*terms: str) -> frozenset[str]:
    return frozenset(terms)


def test_only_sets_sharing_a_rare_term_in_their_prefix_are_candidates():
    # t = 0.9: a set of 4 (or 3, or 1) terms has a prefix of 1 term, its rarest.
    sets = [fs("c"), fs("d"), fs("a", "c", "d", "e"), fs("a", "b", "d", "e")]
    sets += [fs("a", "b", "c", "e"), fs("a", "d", "e")]
    frequency = Counter({"b": 2, "c": 3, "a": 4, "d": 4, "e": 4})
    # Prefixes: 0 c, 1 d, 2 c (c, a, d, e), 3 b (b, a, d, e), 4 b (b, c, a, e), 5 a (a, d, e).
    # 2 meets 0 on c: sizes 4 and 1 need ceil(0.9·5/1.9) = 3, and 1 + rest = 1 + 0: passed
    # over. 4 meets 3 on b at 0 and 0: sizes 4 and 4 need ceil(0.9·8/1.9) = 4, 1 + 3 = 4.
    # In alphabetical order instead, 2, 3, 4 and 5 would all begin with a.
    assert candidates(sets, frequency, 0.9) == [set(), set(), set(), set(), {3}, set()]
    # 3/5 = 0.6: not similar.
    assert sorted(similar_sets(sets, frequency, 0.9)) == [(x, x) for x in range(6)]


def test_a_pair_that_cannot_share_enough_terms_is_not_a_candidate():
    # t = 0.8; b, c and g are rarer than d, e, f and h.
    sets = [fs("a", "d", "f"), fs("b", "c", "d", "e", "g"), fs("h")]
    sets += [fs("b", "c", "d", "e", "f", "g", "h"), fs("a", "e", "f", "h")]
    frequency = Counter({"a": 2, "b": 2, "c": 2, "g": 2, "d": 3, "e": 3, "f": 3, "h": 3})
    # 1 is b c g d e (prefix b c), 3 is b c g d e f h (prefix b c): sizes 7 and 5 need
    # ceil(0.8·12/1.8) = 6 shared terms. On b (0, 0) at most 1 + min(6, 4) = 5, on c (1, 1)
    # 1 + min(5, 3) = 4: passed over both times. 4 (a e f h, prefix a) meets 0 (a d f, prefix
    # a) on a: sizes 4 and 3 need ceil(0.8·7/1.8) = 4, and 1 + min(3, 2) = 3.
    assert candidates(sets, frequency, 0.8) == [set(), set(), set(), set(), set()]


def test_a_set_met_on_a_shared_term_is_ruled_out_when_too_few_terms_are_left():
    # t = 0.6; b is the rarest, h the most common.
    sets = [
        fs("h"),
        fs("a", "c", "d", "g", "h"),
        fs("c", "f", "h"),
        fs("a", "b", "d", "f", "g", "h"),
    ]
    frequency = Counter({"b": 1, "a": 2, "c": 2, "d": 2, "f": 2, "g": 2, "h": 4})
    # 1 is a c d g h (prefix a c d). 2 is c f h (prefix c f): on c at 0 and 1, sizes 3 and 5
    # need ceil(0.6·8/1.6) = 3, and 1 + min(2, 3) = 3: a candidate.
    # 3 is b a d f g h (prefix b a d): on a at 1 and 0, sizes 6 and 5 need
    # ceil(0.6·11/1.6) = 5, and 1 + min(4, 4) = 5: met; on d at 2 and 2, 1 shared so far,
    # and 1 + 1 + min(3, 2) = 4 < 5: ruled out (they share 4 of 7 terms, 0.57).
    assert candidates(sets, frequency, 0.6) == [set(), set(), {1}, set()]
    assert sorted(similar_sets(sets, frequency, 0.6)) == [(x, x) for x in range(4)]


def test_a_set_met_before_is_not_judged_by_the_group_of_another_term():
    # t = 0.5; a is the most common term, the others are ordered alphabetically.
    sets = [fs("a", "b", "c", "d", "g", "h", "i"), fs("a", "c", "d", "e")]
    sets += [fs("a", "b", "e", "g", "h", "i")]
    frequency = Counter({"a": 3, "b": 2, "c": 2, "d": 2, "e": 2, "g": 2, "h": 2, "i": 2})
    # 0 is b c d g h i a (prefix b c d g), 1 is c d e a (prefix c d e), 2 is b e g h i a
    # (prefix b e g h). 2 meets 0 on b at 0 and 0 (sizes 6 and 7 need ceil(0.5·13/1.5) = 5;
    # 1 + min(5, 6) = 6), then meets 1 on e at 1 and 2 (sizes 6 and 4 need 4; 1 + min(4, 1)
    # = 2: passed over) -- which says nothing of 0 -- and 0 again on g at 2 and 3: 1 shared,
    # 1 + 1 + min(3, 3) = 5. 0 and 2 share b g h i a of b c d e g h i a: 5/8.
    assert candidates(sets, frequency, 0.5) == [set(), {0}, {0}]
    assert sorted(similar_sets(sets, frequency, 0.5)) == [(0, 0), (0, 2), (1, 1), (2, 2)]


def test_the_terms_past_a_sets_prefix_are_never_looked_up():
    # t = 0.5: sets of 4 terms have a prefix of 4 - 2 + 1 = 3 and need 3 shared terms
    # (ceil(0.5·8/1.5)). Frequencies as in a register where z is common.
    sets = [fs("a", "r", "s", "z"), fs("a", "p", "q", "z")]
    frequency = Counter({"a": 2, "p": 3, "q": 3, "r": 3, "s": 3, "z": 9})
    # 1 (a p q z) meets 0 (a r s z) on a at 0 and 0: 1 + min(3, 3) = 4: a candidate. Their z
    # stands fourth in both, past the prefixes; had it been looked up, with nothing left after
    # it (1 + 1 + 0 < 3), 0 would have been ruled out.
    assert candidates(sets, frequency, 0.5) == [set(), {0}]
    # They share 2 of 6 terms.
    assert sorted(similar_sets(sets, frequency, 0.5)) == [(0, 0), (1, 1)]


def test_the_terms_left_after_a_shared_one_are_counted_in_the_smaller_set_too():
    # t = 0.5: sizes 3 and 4 need ceil(0.5·7/1.5) = 3 shared terms, every term of the smaller.
    sets = [fs("p", "q", "r", "s"), fs("u", "p", "q")]
    frequency = Counter({"u": 1, "p": 2, "q": 3, "r": 3, "s": 3})
    # 0 is p q r s (prefix p q r), 1 is u p q (prefix u p). They meet on p at 1 in the smaller
    # and 0 in the larger: after it 1 term is left in the smaller (3 in the larger), so at most
    # 1 + 1 = 2 shared: passed over.
    assert candidates(sets, frequency, 0.5) == [set(), set()]
