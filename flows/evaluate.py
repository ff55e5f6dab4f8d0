"""Score a gold-format export (flows.export) against the hand-made gold, field by field.

The rules follow tests/gold/README.md, "How to compare". Judgement calls made here:
- Text is compared after NFKC, traditional -> simplified, whitespace removal, and dropping quote
  marks and book-title marks: “五大行动”, 「五大行动」 and 五大行动 are one slogan, 《X条例》 and
  X条例 one law. Punctuation and layout are not what extraction is judged on.
- Articles are paired one to one within a file: first on the start of the body (longest common
  normalised prefix first, at least 10 characters or all of the shorter start, so four briefs that
  all open with the same byline still pair correctly), then, for the rest, on equal titles.
- Names, places, organisations, laws, slogans and author names are sets per file, so a wrong
  article split does not also count as wrong entities. Quantities are (value, unit) multisets,
  dated events date multisets, votes (for, against, abstain) multisets, all per file.
- A role or a quantity subject is judged only where the name or the (value, unit) matched.
  Roles must be equal (they are copied as written). A subject agrees when equal, or when one
  contains the other and the shorter has at least 2 characters and half the longer's length:
  产值 ~ 实现产值 is fair, 县 ~ 县(市、区) is not.
- Duplicates are unordered pairs of articles: the gold links both ways, a pipeline may link only
  the copy to its original. Each link is resolved to the article it names, so a wrong title of
  the linked article costs title accuracy, not the duplicate pair too.
- Dated events without a resolved date (the gold's null: the page never states the year) are not
  scored; a predicted event with an invented year is a false positive.
- Nothing to find and nothing found scores 1.0 (nothing was missed, nothing was wrong).
A predicted file that is missing counts as all false negatives.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import opencc

# Folded away before comparing: quote marks of every width and style, and book-title marks.
QUOTE_MARKS = frozenset("“”‘’\"'「」『』《》〈〉")
BODY_PREFIX_CHARS = 10
MIN_SUBJECT_CHARS = 2

Document = dict[str, Any]
ArticleJson = dict[str, Any]  # one article in gold shape, from the gold or a prediction
ArticleRef = tuple[str, ...]  # (stem, gold index) or a token that can never match


# --- scores -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """True/false positives and false negatives of a set or multiset comparison."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def measures(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}

    def as_dict(self) -> dict[str, Any]:
        return {"kind": "f1", **self.measures(), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass(frozen=True)
class Tally:
    """Correct out of total, for a property judged on matched items only."""

    correct: int = 0
    total: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.correct + other.correct, self.total + other.total)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0

    @property
    def support(self) -> int:
        return self.total

    def measures(self) -> dict[str, float]:
        return {"accuracy": self.accuracy}

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "accuracy",
            "accuracy": self.accuracy,
            "correct": self.correct,
            "total": self.total,
        }


Score = Counts | Tally

# Report order; the kind decides the empty score every field starts from.
FIELDS: dict[str, type[Counts] | type[Tally]] = {
    "article_split": Counts,
    "title": Tally,
    "subtitle": Tally,
    "publish_date": Tally,
    "source": Tally,
    "authors": Tally,
    "author_names": Counts,
    "region": Tally,
    "duplicate_pairs": Counts,
    "people": Counts,
    "roles": Tally,
    "places": Counts,
    "organizations": Counts,
    "quantities": Counts,
    "quantity_subjects": Tally,
    "laws": Counts,
    "slogans": Counts,
    "dated_events": Counts,
    "votes": Counts,
}


@dataclass
class Evaluation:
    scores: dict[str, Score]
    files_scored: list[str] = field(default_factory=list)
    files_missing: list[str] = field(default_factory=list)  # in the gold, not predicted
    files_unexpected: list[str] = field(default_factory=list)  # predicted, not in the gold

    def value(self, name: str) -> float:
        """The headline number of a field ("people" is its F1), or one measure ("people.recall")."""
        field_name, _, measure = name.partition(".")
        if field_name not in self.scores:
            raise ValueError(f"unknown field {field_name!r}; known: {', '.join(self.scores)}")
        measures = self.scores[field_name].measures()
        measure = measure or ("f1" if "f1" in measures else "accuracy")
        if measure not in measures:
            raise ValueError(f"{field_name} has no {measure!r}; it has {', '.join(measures)}")
        return measures[measure]

    def check(self, thresholds: dict[str, float]) -> list[str]:
        """One message per threshold not met; an unknown name raises, so typos cannot pass."""
        values = {name: self.value(name) for name in thresholds}
        return [
            f"{name} {values[name]:.3f} < {minimum:.3f}"
            for name, minimum in thresholds.items()
            if values[name] < minimum
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "fields": {name: score.as_dict() for name, score in self.scores.items()},
            "files": {
                "scored": self.files_scored,
                "missing": self.files_missing,
                "unexpected": self.files_unexpected,
            },
        }


# --- normalisation ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def simplifier() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=65536)
def normalize_text(text: str | None) -> str | None:
    """The comparable form of a text; None for None and for text that folds to nothing."""
    if text is None:
        return None
    folded = simplifier().convert(unicodedata.normalize("NFKC", text))
    kept = "".join(ch for ch in folded if not ch.isspace() and ch not in QUOTE_MARKS)
    return kept or None


def normalized_set(values: Iterable[str | None]) -> set[str]:
    return {norm for value in values if (norm := normalize_text(value)) is not None}


def number_key(value: Any) -> float | None:
    # Rounded so 40000000000 and 4e10 and 5.4 vs 5.4000000001 compare equal.
    return round(float(value), 6) if isinstance(value, int | float) else None


# --- comparisons ------------------------------------------------------------------------------


def set_counts(gold: set[Hashable], predicted: set[Hashable]) -> Counts:
    return Counts(len(gold & predicted), len(predicted - gold), len(gold - predicted))


def multiset_counts(gold: Counter[Any], predicted: Counter[Any]) -> Counts:
    matched = sum((gold & predicted).values())
    return Counts(matched, sum(predicted.values()) - matched, sum(gold.values()) - matched)


def subject_agrees(gold: str | None, predicted: str | None) -> bool:
    gold, predicted = normalize_text(gold), normalize_text(predicted)
    if gold is None or predicted is None:
        return gold == predicted
    shorter, longer = sorted((gold, predicted), key=len)
    if shorter == longer:
        return True
    long_enough = len(shorter) >= max(MIN_SUBJECT_CHARS, len(longer) / 2)
    return long_enough and shorter in longer


def common_prefix_length(left: str, right: str) -> int:
    length = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        length += 1
    return length


def body_start_score(gold: ArticleJson, predicted: ArticleJson) -> int:
    """Length of the shared normalised start, or 0 when too short to call it the same article."""
    gold_start = normalize_text(gold.get("first_sentence")) or ""
    predicted_start = normalize_text(predicted.get("first_sentence")) or ""
    shared = common_prefix_length(gold_start, predicted_start)
    needed = min(BODY_PREFIX_CHARS, len(gold_start), len(predicted_start))
    return shared if shared and shared >= needed else 0


def match_articles(gold: list[ArticleJson], predicted: list[ArticleJson]) -> dict[int, int]:
    """Pair gold and predicted articles one to one: {gold index: predicted index}."""
    candidates = [
        (score, g, p)
        for g, gold_article in enumerate(gold)
        for p, predicted_article in enumerate(predicted)
        if (score := body_start_score(gold_article, predicted_article))
    ]
    pairs: dict[int, int] = {}
    # Longest shared start first, so a common byline opening never steals a better partner.
    for _, g, p in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if g not in pairs and p not in pairs.values():
            pairs[g] = p
    for g, gold_article in enumerate(gold):
        title = normalize_text(gold_article.get("title"))
        for p, predicted_article in enumerate(predicted):
            if g in pairs or p in pairs.values() or title is None:
                continue
            if normalize_text(predicted_article.get("title")) == title:
                pairs[g] = p
    return pairs


# --- one file ---------------------------------------------------------------------------------


def score_document(gold: Document, predicted: Document, pairs: dict[int, int]) -> dict[str, Score]:
    gold_articles, predicted_articles = gold["articles"], predicted["articles"]
    matched = [(gold_articles[g], predicted_articles[p]) for g, p in pairs.items()]
    scores: dict[str, Score] = {
        "article_split": Counts(
            len(pairs), len(predicted_articles) - len(pairs), len(gold_articles) - len(pairs)
        ),
        **metadata_scores(matched),
        "author_names": set_counts(
            collect(gold_articles, authors_of), collect(predicted_articles, authors_of)
        ),
        **people_scores(gold_articles, predicted_articles),
        **quantity_scores(gold_articles, predicted_articles),
    }
    for name, values_of in SET_FIELDS.items():
        scores[name] = set_counts(
            collect(gold_articles, values_of), collect(predicted_articles, values_of)
        )
    for name, keys_of in MULTISET_FIELDS.items():
        scores[name] = multiset_counts(
            count(gold_articles, keys_of), count(predicted_articles, keys_of)
        )
    return scores


def collect(articles: list[ArticleJson], values_of: Callable[[ArticleJson], Iterable]) -> set:
    return {value for article in articles for value in values_of(article)}


def count(articles: list[ArticleJson], keys_of: Callable[[ArticleJson], Iterable]) -> Counter:
    return Counter(key for article in articles for key in keys_of(article))


def authors_of(article: ArticleJson) -> set[str]:
    return normalized_set(article.get("authors") or [])


def region_of(article: ArticleJson) -> tuple[str | None, ...]:
    region = article.get("region") or {}
    return tuple(normalize_text(region.get(level)) for level in ("province", "city", "county"))


def same_text(name: str) -> Callable[[ArticleJson, ArticleJson], bool]:
    return lambda gold, predicted: (
        normalize_text(gold.get(name)) == normalize_text(predicted.get(name))
    )


# Per matched article: does the prediction say the same thing? (null == null is right.)
METADATA_CHECKS: dict[str, Callable[[ArticleJson, ArticleJson], bool]] = {
    "title": same_text("title"),
    "subtitle": same_text("subtitle"),
    "publish_date": same_text("publish_date"),
    "source": same_text("source"),
    "authors": lambda gold, predicted: authors_of(gold) == authors_of(predicted),
    "region": lambda gold, predicted: region_of(gold) == region_of(predicted),
}


def metadata_scores(matched: list[tuple[ArticleJson, ArticleJson]]) -> dict[str, Tally]:
    return {
        name: Tally(sum(agrees(gold, predicted) for gold, predicted in matched), len(matched))
        for name, agrees in METADATA_CHECKS.items()
    }


def texts_of(key: str) -> Callable[[ArticleJson], set[str]]:
    return lambda article: normalized_set(article.get(key) or [])


SET_FIELDS: dict[str, Callable[[ArticleJson], set[str]]] = {
    "places": texts_of("places"),
    "organizations": texts_of("organizations"),
    "laws": texts_of("laws"),
    "slogans": texts_of("slogans"),
}


def event_dates(article: ArticleJson) -> list[str]:
    dates = (normalize_text(event.get("date")) for event in article.get("dated_events") or [])
    return [date for date in dates if date is not None]


def vote_counts(article: ArticleJson) -> list[tuple[Any, Any, Any]]:
    return [(v.get("for"), v.get("against"), v.get("abstain")) for v in article.get("votes") or []]


MULTISET_FIELDS: dict[str, Callable[[ArticleJson], list[Hashable]]] = {
    "dated_events": event_dates,
    "votes": vote_counts,
}


def roles_by_name(articles: list[ArticleJson]) -> dict[str, set[str | None]]:
    roles: dict[str, set[str | None]] = {}
    for article in articles:
        for person in article.get("people") or []:
            if (name := normalize_text(person.get("name"))) is not None:
                roles.setdefault(name, set()).add(normalize_text(person.get("role")))
    return roles


def people_scores(gold: list[ArticleJson], predicted: list[ArticleJson]) -> dict[str, Score]:
    gold_roles, predicted_roles = roles_by_name(gold), roles_by_name(predicted)
    matched = gold_roles.keys() & predicted_roles.keys()
    # A name can carry a different role in each article of a file; any shared one is right.
    right = sum(bool(gold_roles[name] & predicted_roles[name]) for name in matched)
    return {
        "people": set_counts(set(gold_roles), set(predicted_roles)),
        "roles": Tally(right, len(matched)),
    }


def subjects_by_quantity(articles: list[ArticleJson]) -> dict[tuple, list[str | None]]:
    subjects: dict[tuple, list[str | None]] = {}
    for article in articles:
        for quantity in article.get("quantities") or []:
            key = (number_key(quantity.get("value")), normalize_text(quantity.get("unit")))
            subjects.setdefault(key, []).append(quantity.get("subject"))
    return subjects


_NO_PARTNER = object()


def agreeing_pairs(gold: list[str | None], predicted: list[str | None]) -> int:
    """How many of the min(len) pairs of one (value, unit) can be given agreeing subjects."""
    unused = list(predicted)
    agreeing = 0
    for subject in gold:
        partner = next((p for p in unused if subject_agrees(subject, p)), _NO_PARTNER)
        if partner is not _NO_PARTNER:
            unused.remove(partner)
            agreeing += 1
    return min(agreeing, len(gold), len(predicted))


def quantity_scores(gold: list[ArticleJson], predicted: list[ArticleJson]) -> dict[str, Score]:
    gold_subjects, predicted_subjects = subjects_by_quantity(gold), subjects_by_quantity(predicted)
    sizes = Counter({key: len(found) for key, found in gold_subjects.items()})
    predicted_sizes = Counter({key: len(found) for key, found in predicted_subjects.items()})
    shared = gold_subjects.keys() & predicted_subjects.keys()
    return {
        "quantities": multiset_counts(sizes, predicted_sizes),
        "quantity_subjects": Tally(
            sum(agreeing_pairs(gold_subjects[k], predicted_subjects[k]) for k in shared),
            sum((sizes & predicted_sizes).values()),
        ),
    }


# --- duplicates across files ------------------------------------------------------------------


def link_target(link: str, documents: dict[str, Document]) -> tuple[str, int] | None:
    """Resolve "<file>: <title>" to (stem, article index) in `documents`, or None."""
    file_part, _, title_part = unicodedata.normalize("NFKC", link).partition(":")
    file_key, title = normalize_text(Path(file_part.strip()).name), normalize_text(title_part)
    for stem, document in documents.items():
        if title and normalize_text(Path(document.get("file", stem)).name) == file_key:
            index = find_article(document["articles"], title)
            return (stem, index) if index is not None else None
    return None


def find_article(articles: list[ArticleJson], title: str) -> int | None:
    for index, article in enumerate(articles):
        if normalize_text(article.get("title")) == title:
            return index
    # An article without a title can only be named by its opening words.
    for index, article in enumerate(articles):
        start = normalize_text(article.get("first_sentence")) or ""
        if len(start) >= BODY_PREFIX_CHARS and title.startswith(start):
            return index
    return None


def duplicate_pairs(
    documents: dict[str, Document], to_gold: Callable[[str, int], ArticleRef]
) -> set[frozenset[ArticleRef]]:
    pairs = set()
    for stem, document in documents.items():
        for index, article in enumerate(document["articles"]):
            if not (link := article.get("duplicate_of")):
                continue
            target = link_target(link, documents)
            other = to_gold(*target) if target else ("unresolved", normalize_text(link) or "")
            pairs.add(frozenset({to_gold(stem, index), other}))
    return pairs


def duplicate_counts(
    gold: dict[str, Document], predicted: dict[str, Document], matches: dict[str, dict[int, int]]
) -> Counts:
    to_gold_index = {stem: {p: g for g, p in pairs.items()} for stem, pairs in matches.items()}

    def predicted_to_gold(stem: str, index: int) -> ArticleRef:
        gold_index = to_gold_index.get(stem, {}).get(index)
        # An unmatched article is its own token: a link to it can never be right.
        return (
            (stem, str(gold_index)) if gold_index is not None else ("predicted", stem, str(index))
        )

    gold_pairs = duplicate_pairs(gold, lambda stem, index: (stem, str(index)))
    return set_counts(gold_pairs, duplicate_pairs(predicted, predicted_to_gold))


# --- whole directories ------------------------------------------------------------------------


def load_documents(directory: Path) -> dict[str, Document]:
    if not directory.is_dir():
        raise FileNotFoundError(f"not a directory: {directory}")
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.json"))
    }


def evaluate(predicted_dir: Path, gold_dir: Path) -> Evaluation:
    """Micro-averaged scores of every field over all gold files (sums of counts, then ratios)."""
    gold, predicted = load_documents(gold_dir), load_documents(predicted_dir)
    empty: Document = {"articles": []}
    matches = {
        stem: match_articles(document["articles"], predicted.get(stem, empty)["articles"])
        for stem, document in gold.items()
    }
    totals: dict[str, Score] = {name: kind() for name, kind in FIELDS.items()}
    for stem, document in gold.items():
        scores = score_document(document, predicted.get(stem, empty), matches[stem])
        for name, score in scores.items():
            totals[name] = totals[name] + score
    totals["duplicate_pairs"] = duplicate_counts(gold, predicted, matches)
    return Evaluation(
        scores=totals,
        files_scored=sorted(gold.keys() & predicted.keys()),
        files_missing=sorted(gold.keys() - predicted.keys()),
        files_unexpected=sorted(predicted.keys() - gold.keys()),
    )


def format_evaluation(ev: Evaluation) -> str:
    """A plain-text table, one field a line, for terminals and CI logs."""
    header = "field              precision  recall     F1 accuracy support"
    lines = [header, "-" * len(header)]
    for name, score in ev.scores.items():
        measures = score.measures()
        cells = [
            f"{measures[key]:.3f}" if key in measures else "-"
            for key in ("precision", "recall", "f1", "accuracy")
        ]
        lines.append(
            f"{name:<18} {cells[0]:>9} {cells[1]:>7} {cells[2]:>6} {cells[3]:>8} {score.support:>7}"
        )
    lines.append(
        f"files: {len(ev.files_scored)} scored, {len(ev.files_missing)} missing"
        + (f" ({', '.join(ev.files_missing)})" if ev.files_missing else "")
        + f", {len(ev.files_unexpected)} not in the gold"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Score a gold-format export against the gold.")
    parser.add_argument("predicted_dir", type=Path)
    parser.add_argument("gold_dir", type=Path)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    evaluation = evaluate(args.predicted_dir, args.gold_dir)
    if args.json:
        print(json.dumps(evaluation.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_evaluation(evaluation))


if __name__ == "__main__":
    main()
