"""The cache of parsed content model files: faster starts, never a stale or failed load."""

import datetime as dt
import json

import pytest

import dossier.model_reader as model_reader
from dossier import model_cache
from dossier.model import load_model
from dossier.paths import content_model_path
from tests.helpers.models import MINI_MODEL


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "content-model"  # beside the render cache, in a folder of its own


def forbid_parsing(monkeypatch):
    def parse(data, source):
        raise AssertionError("parsed the YAML although the cache holds it")

    monkeypatch.setattr(model_reader, "_parse_yaml", parse)


def test_second_load_reads_the_cache_not_the_yaml(cache, monkeypatch):
    first = load_model()
    (entry,) = cache.glob("*.json")
    assert not list(cache.glob(".writing-*"))
    forbid_parsing(monkeypatch)
    assert load_model() == first
    assert json.loads(entry.read_text(encoding="utf-8"))["version"] == 1


def test_an_edited_model_is_parsed_again(cache, tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text(MINI_MODEL, encoding="utf-8")
    assert load_model(path).field("genetic.variant.gene").label == "Gene symbol"
    path.write_text(MINI_MODEL.replace("label: Gene symbol", "label: Gene"), encoding="utf-8")
    assert load_model(path).field("genetic.variant.gene").label == "Gene"
    assert len(list(cache.glob("*.json"))) == 2


def test_a_damaged_entry_is_parsed_again_and_replaced(cache, monkeypatch):
    expected = load_model()
    (entry,) = cache.glob("*.json")
    entry.write_text('{"version": 1, "areas": [', encoding="utf-8")
    assert load_model() == expected
    forbid_parsing(monkeypatch)
    assert load_model() == expected


def test_an_unwritable_cache_folder_costs_nothing_but_time(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("DOSSIER_CACHE_DIR", str(blocker / "cache"))
    assert load_model().field("genetic.variant.hgvs").type == "hgvs"
    assert blocker.read_text() == "a file where the cache folder should be"


def test_values_json_would_change_are_not_cached(cache, tmp_path):
    when = {"when": dt.date(2026, 1, 2)}
    assert model_cache.cached_parse(b"dates", lambda data: when) == when
    assert model_cache.cached_parse(b"keys", lambda data: {1: "one"}) == {1: "one"}
    assert not cache.exists() or not list(cache.glob("*.json"))


def test_old_entries_are_pruned(cache):
    for n in range(model_cache.KEEP + 3):
        model_cache.cached_parse(f"file {n}".encode(), lambda data: {"n": data.decode()})
    assert len(list(cache.glob("*.json"))) == model_cache.KEEP


def test_a_non_utf8_model_is_reported(cache, tmp_path):
    path = tmp_path / "model.yaml"
    path.write_bytes(content_model_path().read_bytes().replace(b"version: 1", b"version: 1 # \xff", 1))
    with pytest.raises(model_reader.ModelError, match="must be UTF-8"):
        load_model(path)


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A resources folder whose content model shipped parsed, as the wheel's build leaves it."""
    resources = tmp_path / "resources"
    resources.mkdir()
    (resources / "content_model.yaml").write_bytes(content_model_path().read_bytes())
    monkeypatch.setattr(model_cache, "resources_dir", lambda: resources)
    assert model_cache.ship_model(resources) is not None
    return resources


def test_a_first_load_takes_the_model_parsed_when_the_program_was_built(cache, shipped, monkeypatch):
    expected = load_model()  # parsed here (the shipped entry is for the copy's bytes, which are the same)
    for entry in cache.glob("*.json"):
        entry.unlink()
    forbid_parsing(monkeypatch)
    assert load_model(shipped / "content_model.yaml") == expected
    assert [e.name for e in cache.glob("*.json")] == [e.name for e in (shipped / model_cache.SHIPPED).glob("*.json")]


def test_a_shipped_parse_of_other_bytes_or_damaged_is_not_used(cache, shipped, monkeypatch):
    expected = load_model()
    parsed = []
    parse = model_reader._parse_yaml
    monkeypatch.setattr(model_reader, "_parse_yaml", lambda data, source: parsed.append(source) or parse(data, source))
    model = shipped / "content_model.yaml"
    model.write_bytes(content_model_path().read_bytes() + b"\n# edited after the build\n")
    assert load_model(model) == expected and parsed == [model]
    model.write_bytes(content_model_path().read_bytes())
    (entry,) = (shipped / model_cache.SHIPPED).glob("*.json")
    entry.write_text('{"version": 1, "areas": [', encoding="utf-8")
    for cached in cache.glob("*.json"):
        cached.unlink()
    assert load_model(model) == expected and parsed == [model, model]
