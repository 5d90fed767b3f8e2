"""shared.vocab: the common concept set; codes are published and never change meaning."""

import pytest

from shared import vocab
from shared.vocab import Concept, Vocabulary


def test_three_pyramid_levels():
    assert vocab.PYRAMID_LEVELS.codes == ("1", "2", "3")
    assert len(vocab.PYRAMID_LEVELS) == 3


def test_pyramid_labels_from_the_domain():
    assert vocab.PYRAMID_LEVELS.get("1").label("nb") == "Tilbud til alle"
    assert vocab.PYRAMID_LEVELS.get("2").label("nb") == "Tilbud til de som trenger mer støtte"
    assert vocab.PYRAMID_LEVELS.get("3").label("nb") == "Hjelpetilbud"
    assert vocab.PYRAMID_LEVELS.get("3").label() == "Hjelpetilbud"  # bokmål is the default


def test_offer_category_codes_are_stable():
    assert len(vocab.OFFER_CATEGORIES) == 6
    assert vocab.OFFER_CATEGORIES.codes == (
        "public",
        "voluntary_club",
        "voluntary_association",
        "parent_support",
        "group",
        "guidance",
    )
    assert vocab.OFFER_CATEGORIES.get("parent_support").label("nb") == "Foreldrestøttende arbeid"


def test_risk_group_codes_are_stable():
    assert len(vocab.RISK_GROUPS) == 14
    assert vocab.RISK_GROUPS.codes == (
        "child_welfare",
        "parent_chronic_illness",
        "parent_mental_illness",
        "parent_substance_abuse",
        "parent_in_prison",
        "parent_violent_milieu",
        "violent_milieu",
        "trauma",
        "parental_breakup",
        "under_assessment",
        "bullying",
        "peer_difficulties",
        "school_absence",
        "learning_difficulties",
    )
    assert vocab.RISK_GROUPS.get("under_assessment").label("nb") == "Barn under utredning"


def test_organisation_kinds():
    assert set(vocab.ORGANISATION_KINDS.codes) == {
        "municipality",
        "county",
        "region",
        "state",
        "voluntary",
    }
    assert len(vocab.ORGANISATION_KINDS) == 5
    assert vocab.ORGANISATION_KINDS.get("municipality").label("nb") == "Kommune"
    assert vocab.ORGANISATION_KINDS.get("county").label("nb") == "Fylke"


def test_every_concept_has_three_non_empty_labels():
    assert len(vocab.ALL) == 13
    for vocabulary in vocab.ALL:
        assert vocabulary.concepts, vocabulary.id
        assert all(vocabulary.title.get(lang, "").strip() for lang in ("nb", "nn", "en"))
        for concept in vocabulary:
            for lang in ("nb", "nn", "en"):
                label = concept.labels.get(lang, "")
                assert label.strip(), f"{vocabulary.id}/{concept.code} lacks {lang}"


def test_diagnosis_groups_are_icd10_chapter_f():
    assert len(vocab.DIAGNOSIS_GROUPS) == 12
    for concept in vocab.DIAGNOSIS_GROUPS:
        assert concept.notation and concept.notation.startswith("F"), concept.code
    assert vocab.DIAGNOSIS_GROUPS.get("adhd").notation == "F90"
    assert vocab.DIAGNOSIS_GROUPS.get("autism").notation == "F84"


def test_membership_and_lookup():
    assert "trauma" in vocab.RISK_GROUPS
    assert "Trauma" not in vocab.RISK_GROUPS
    assert "4" not in vocab.PYRAMID_LEVELS
    with pytest.raises(KeyError):
        vocab.RISK_GROUPS.get("unknown")


def test_label_falls_back_to_bokmal():
    concept = Concept("x", {"nb": "Bokmål", "nn": "", "en": "English"})
    assert concept.label("nn") == "Bokmål"
    assert concept.label("se") == "Bokmål"
    assert concept.label("en") == "English"


def test_repeated_code_is_rejected():
    a = Concept("a", {"nb": "A", "nn": "A", "en": "A"})
    b = Concept("a", {"nb": "B", "nn": "B", "en": "B"})
    with pytest.raises(ValueError, match="test-vocab"):
        Vocabulary("test-vocab", {"nb": "T", "nn": "T", "en": "T"}, (a, b))


def test_by_id_maps_every_vocabulary():
    assert set(vocab.BY_ID) == {
        "pyramid-level",
        "offer-category",
        "risk-group",
        "audience",
        "organisation-kind",
        "diagnosis-group",
        "access",
        "measure-status",
        "language",
        "membership-status",
        "role",
        "offer-status",
        "no-contact-reason",
    }
    for vocabulary in vocab.ALL:
        assert vocab.BY_ID[vocabulary.id] is vocabulary
    assert vocab.BY_ID["risk-group"] is vocab.RISK_GROUPS


def test_the_reasons_for_no_way_in_are_a_short_list_of_codes():
    assert vocab.NO_CONTACT_REASONS.codes == (
        "anonymous_drop_in",
        "outreach",
        "referral_only",
        "by_decision",
        "via_school",
        "protected",
    )
    assert vocab.NO_CONTACT_REASONS.get("referral_only").label("nn").startswith("Berre etter")
