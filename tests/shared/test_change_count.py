"""What the build part of an answer's ETag is made of (:meth:`shared.change_count.ChangeCount.
build`): the code, and the classification of areas the services read, which an operator may
replace without a deploy (``nettungen refdata import`` into ``NETTUNGEN_REFDATA_DIR``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.reporting.history import changes as history
from services.search.index import changes as index
from shared.areas import PACKAGED_DATA_DIR, REFDATA_DIR_ENV, load_reference_data


def _copy(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(PACKAGED_DATA_DIR, folder)
    return folder


def test_another_classification_makes_another_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(REFDATA_DIR_ENV, raising=False)
    packaged = (history.COUNT.build(), index.COUNT.build())
    # The same files elsewhere (another worker's copy): the same build.
    monkeypatch.setenv(REFDATA_DIR_ENV, str(_copy(tmp_path, "same")))
    assert (history.COUNT.build(), index.COUNT.build()) == packaged
    # Drammen renamed: the answers name 3301 otherwise, with nothing new in the counts.
    renamed = _copy(tmp_path, "renamed")
    municipalities = renamed / "municipalities.csv"
    text = municipalities.read_text(encoding="utf-8")
    assert "3301,Drammen," in text
    municipalities.write_text(text.replace("3301,Drammen,", "3301,Nye Drammen,"), "utf-8")
    assert load_reference_data(renamed).get("3301").name == "Nye Drammen"
    monkeypatch.setenv(REFDATA_DIR_ENV, str(renamed))
    changed = (history.COUNT.build(), index.COUNT.build())
    assert changed[0] != packaged[0] and changed[1] != packaged[1]
    # The version stays the first part of the build; the digest is what changed.
    assert changed[0].split("+")[0] == packaged[0].split("+")[0]
