"""A deterministic synthetic corpus for the benchmark, built from the sample articles.

Every article mixes sentences drawn from all sample paragraphs, with numbers, dates, places and
people varied, under a title and a metadata row the way local news sites print them. Articles are
written as UTF-8 text, GB18030 text and HTML, the formats ingest reads. The same seed and size
always give byte-identical files.

Sentences are recombined from clauses rather than whole paragraphs reused on purpose: reused
paragraphs would make nearly every pair of articles a near-duplicate candidate, which real feeds
never look like, and would turn the benchmark into a deduplication stress test.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
CLAUSE_END = re.compile(r"[，,。！？；!?;]")
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ARABIC_NUMBER = re.compile(r"\d+(?:\.\d+)?")
FULL_DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
MONTH_DAY = re.compile(r"(?<![\d年])\d{1,2}月\d{1,2}日")
DIVISION = re.compile(r"[\u4e00-\u9fff]{2,3}(?:省|市|县|区)(?=人大|人民|委员会|政府|常委会)")

# Invented two-character place stems and given names: varied but never a real sample's entities.
PLACE_STEMS = "安 平 清 河 东 南 西 北 新 宁 广 永 长 华 兴 泰 丰 和 阳 江 山 林 云 海 德 庆 嘉 昌"
GIVEN_CHARACTERS = "明 华 伟 芳 军 丽 强 静 敏 磊 洋 艳 勇 杰 娟 涛 超 霞 平 刚 斌 辉 玲 鹏"
SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋"
LEVELS = ("市", "县", "区")
FORMATS = ("txt", "gb18030.txt", "html")


@dataclass(frozen=True)
class CorpusSpec:
    articles: int = 2000
    seed: int = 7
    paragraphs: tuple[int, int] = (5, 12)
    sentences: tuple[int, int] = (2, 4)
    clauses: tuple[int, int] = (2, 4)


def sample_clauses(sample_dir: Path) -> list[str]:
    """Clauses (between commas and sentence ends) of the samples' body-like paragraphs."""
    clauses = {c.strip() for s in sample_sentences(sample_dir) for c in CLAUSE_END.split(s)}
    return sorted(c for c in clauses if len(c) >= 4)


def sample_sentences(sample_dir: Path) -> list[str]:
    """Sentences of the samples' body-like paragraphs (long lines, mostly Chinese)."""
    sentences: list[str] = []
    for path in sorted(sample_dir.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) < 40 or len(CHINESE.findall(line)) < len(line) * 0.6:
                continue
            sentences += [s for s in SENTENCE_END.split(line) if len(s) >= 8]
    return sorted(set(sentences))


def write_corpus(sample_dir: Path, target: Path, spec: CorpusSpec) -> list[Path]:
    """Write `spec.articles` files into `target`; the same spec always writes the same bytes."""
    sentences = sample_clauses(sample_dir)
    rng = random.Random(spec.seed)
    target.mkdir(parents=True, exist_ok=True)
    return [_write_article(target, index, rng, sentences, spec) for index in range(spec.articles)]


def _write_article(
    target: Path, index: int, rng: random.Random, sentences: list[str], spec: CorpusSpec
) -> Path:
    place = _place(rng)
    published = date(2023, 1, 1) + timedelta(days=rng.randrange(700))
    paragraphs = [
        "".join(_sentence(rng, sentences, place, spec) for _ in range(rng.randint(*spec.sentences)))
        for _ in range(rng.randint(*spec.paragraphs))
    ]
    title = _title(rng, sentences, place)
    author = f"{_person(rng)} {_person(rng)}"
    fmt = FORMATS[index % len(FORMATS)]
    path = target / f"{index:06d}.{fmt.split('.')[-1]}"
    text = _page(fmt, title, published, author, place, paragraphs)
    path.write_bytes(text.encode("gb18030" if fmt.startswith("gb") else "utf-8"))
    return path


def _page(fmt, title, published, author, place, paragraphs) -> str:
    meta = f"发布时间:{published.isoformat()} 作者:{author} 来源:{place}人大网"
    if fmt != "html":
        return "\n\n".join([title, meta, *paragraphs]) + "\n"
    body = "".join(f"<p>{paragraph}</p>\n" for paragraph in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body>\n<h1>{title}</h1>\n"
        f'<div class="info">{meta}</div>\n<div class="content">\n{body}</div></body></html>\n'
    )


def _sentence(rng: random.Random, clauses: list[str], place: str, spec: CorpusSpec) -> str:
    picked = [_vary(rng.choice(clauses), rng, place) for _ in range(rng.randint(*spec.clauses))]
    return "，".join(picked) + "。"


def _title(rng: random.Random, sentences: list[str], place: str) -> str:
    clause = rng.choice(sentences).strip('“”"')
    return f"{place}人大常委会：{clause[:24]}"


def _vary(sentence: str, rng: random.Random, place: str) -> str:
    sentence = FULL_DATE.sub(lambda _: _full_date(rng), sentence)
    sentence = MONTH_DAY.sub(lambda _: f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日", sentence)
    sentence = ARABIC_NUMBER.sub(lambda m: _number_like(m.group(), rng), sentence)
    return DIVISION.sub(lambda m: _same_level_place(m.group(), rng, place), sentence)


def _full_date(rng: random.Random) -> str:
    return f"{rng.randint(2019, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


def _number_like(number: str, rng: random.Random) -> str:
    if "." in number:
        return f"{rng.uniform(0.1, 99.9):.1f}"
    return str(rng.randint(1, max(9, 10 ** len(number) - 1)))


def _same_level_place(name: str, rng: random.Random, home: str) -> str:
    return home if rng.random() < 0.5 and home.endswith(name[-1]) else _place(rng, name[-1])


def _place(rng: random.Random, level: str | None = None) -> str:
    stems = PLACE_STEMS.split()
    return f"{rng.choice(stems)}{rng.choice(stems)}{level or rng.choice(LEVELS)}"


def _person(rng: random.Random) -> str:
    given = GIVEN_CHARACTERS.split()
    return rng.choice(SURNAMES.split()) + "".join(
        rng.choice(given) for _ in range(rng.randint(1, 2))
    )
