"""The dictionary reader: comments, duplicates, ordering, columns, and the real seeds files."""

from __future__ import annotations

import pytest

from flows import vocabulary
from flows.settings import PROJECT_ROOT

SAMPLE = "# a heading comment\n甲 乙\n\n丙丙丙  # why 丙丙丙 is here\n甲 乙\n  丁丁\t4\t后\nC#\n"


@pytest.fixture
def sample_dir(tmp_path, settings_env):
    (tmp_path / "sample.txt").write_text(SAMPLE, encoding="utf-8")
    settings_env(dictionary_dir=str(tmp_path))
    return tmp_path


def test_lines_keeps_whole_entries_in_file_order_without_duplicates(sample_dir):
    # "甲 乙" is one entry (inner space kept) and is listed twice; "C#" has no space before '#'.
    assert ("甲 乙", "丙丙丙", "丁丁\t4\t后", "C#") == vocabulary.lines("sample")


def test_lines_longest_first_keeps_file_order_among_equal_lengths(sample_dir):
    # "甲 乙" and "丙丙丙" are both 3 characters long: the file's order decides between them.
    assert ("丁丁\t4\t后", "甲 乙", "丙丙丙", "C#") == vocabulary.lines(
        "sample", longest_first=True
    )


def test_word_list_splits_entries_on_whitespace(sample_dir):
    assert ("甲", "乙", "丙丙丙", "丁丁", "4", "后", "C#") == vocabulary.word_list("sample")


def test_rows_splits_entries_on_tabs(sample_dir):
    # Entries without a tab are rows of one cell.
    assert (("甲 乙",), ("丙丙丙",), ("甲 乙",), ("丁丁", "4", "后"), ("C#",)) == vocabulary.rows(
        "sample"
    )


def test_vocabulary_reads_the_folder_settings_name(tmp_path, settings_env):
    # The cache is keyed by folder, so a second folder is read afresh, not served from the first.
    for folder_name, word in [("one", "甲"), ("two", "乙")]:
        folder = tmp_path / folder_name
        folder.mkdir()
        (folder / "words.txt").write_text(f"{word}\n", encoding="utf-8")
        settings_env(dictionary_dir=str(folder))
        assert (word,) == vocabulary.word_list("words")


def test_vocabulary_missing_file_is_an_error(sample_dir):
    with pytest.raises(FileNotFoundError):
        vocabulary.lines("no_such_dictionary")


@pytest.mark.parametrize(
    "path",
    sorted((PROJECT_ROOT / "seeds" / "dictionaries").glob("*.txt")),
    ids=lambda path: path.stem,
)
def test_every_seeds_dictionary_has_entries(path):
    assert vocabulary.lines(path.stem)


@pytest.mark.parametrize(
    ("expected", "name"),
    [
        # units, numbers_approx and ingest_meta_labels are read as columns: every row is complete.
        (2, "units"),
        (3, "numbers_approx"),
        (2, "ingest_meta_labels"),
    ],
)
def test_seeds_column_files_have_complete_rows(expected, name):
    assert {expected} == {len(row) for row in vocabulary.rows(name)}


@pytest.mark.parametrize("surname", ["王", "欧阳", "呼延", "郗"])
def test_one_surname_list_holds_single_and_compound_surnames(surname):
    # One list serves people extraction and ingest; the last two came from only one of the old two.
    assert surname in vocabulary.word_list("surnames")
