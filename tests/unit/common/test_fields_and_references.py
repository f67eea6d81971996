"""Shared field types say in the API document what the server enforces; a reference miss in a replica
says that the replica may lag."""

from __future__ import annotations

import re

import pytest
from pydantic import TypeAdapter, ValidationError

from libs.common.fields import Short, Text, bounded
from libs.common.repository import invalid_reference

REQUIRED_TEXTS = [Short, Text, bounded(50)]


@pytest.mark.parametrize("kind", REQUIRED_TEXTS)
@pytest.mark.parametrize("blank", ["", " ", "\t", "\n \r", "\u3000", "\u00a0\u2003"])
def test_a_blank_required_text_is_refused_and_the_published_pattern_refuses_it_too(kind: object, blank: str) -> None:
    adapter = TypeAdapter(kind)
    with pytest.raises(ValidationError):
        adapter.validate_python(blank)
    pattern = adapter.json_schema().get("pattern", "")
    assert not re.search(pattern, blank), "the document would admit what the server refuses"


@pytest.mark.parametrize("kind", REQUIRED_TEXTS)
@pytest.mark.parametrize("text", ["x", "  padded  ", "a\tb", "相差", "'You have to show your work'"])
def test_a_text_the_document_admits_is_accepted_trimmed(kind: object, text: str) -> None:
    adapter = TypeAdapter(kind)
    assert re.search(adapter.json_schema()["pattern"], text)
    assert adapter.validate_python(text) == text.strip()


@pytest.mark.parametrize("kind", REQUIRED_TEXTS)
def test_a_nul_is_refused(kind: object) -> None:
    with pytest.raises(ValidationError, match="pattern"):
        TypeAdapter(kind).validate_python("a\x00b")


def test_an_optional_bounded_text_may_be_empty() -> None:
    assert TypeAdapter(bounded(10, min_length=0)).validate_python("  ") == ""


def test_a_miss_in_a_replica_says_it_may_lag_and_a_miss_at_the_source_does_not() -> None:
    replica = invalid_reference([("schools[1]", "school")], replica=True)
    source = invalid_reference([("school_id", "school")])
    assert replica.status == source.status == 422
    assert "schools[1]: no such school" in replica.detail and "try again" in replica.detail
    assert "try again" not in source.detail
