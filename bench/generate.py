"""A synthetic dataset in the seed format, for benchmarks at scale.

    .venv/bin/python -m bench.generate --records 100000 --out DIR

writes DIR/*.toml (one file per province and congress term, each with its own article in
DIR/documents/) that the normal loader accepts:

    SEED_DIR=DIR DATABASE_URL=... .venv/bin/congress-api migrate
    SEED_DIR=DIR DATABASE_URL=... .venv/bin/congress-api seed

Every record cites a sentence of its article, the article is Vietnamese with tone marks (đ/Đ
included), and the same arguments always give the same files. Bắc Giang is left out so the
generated files can be loaded beside the real seed.
"""

import argparse
import json
import math
import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.seeding.quotes import QuoteAmbiguous, QuoteLocator
from app.text import fold

PROVINCES = [
    "Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "An Giang", "Bà Rịa - Vũng Tàu",
    "Bạc Liêu", "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Bình Định", "Bình Dương", "Bình Phước",
    "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai",
    "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh", "Hải Dương", "Hậu Giang",
    "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng",
    "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận",
    "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị",
    "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa",
    "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc",
    "Yên Bái",
]  # fmt: skip
TERMS = [(start, start + 5) for start in range(1990, 2030, 5)]
RECORDS_PER_FILE = 200

SURNAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
    "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Đào", "Trịnh", "Mai",
]  # fmt: skip
MIDDLE_NAMES = [
    "Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Ngọc", "Thu", "Xuân", "Anh", "Đình",
    "Công", "Hồng", "Thế", "Bá",
]  # fmt: skip
GIVEN_NAMES = [
    "Thái", "Hồng", "Dương", "An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Hương", "Lan", "Long",
    "Nam", "Phong", "Quân", "Sơn", "Thắng", "Thủy", "Trung", "Tuấn", "Việt", "Đạt", "Định", "Hiền",
    "Khánh", "Linh", "Nga", "Yến", "Thể", "Thế", "Đông", "Thúy",
]  # fmt: skip

ACTIONS = [
    "Tiếp tục đẩy mạnh", "Nâng cao chất lượng", "Tăng cường", "Đổi mới", "Kiện toàn",
    "Siết chặt", "Phát huy", "Tập trung lãnh đạo, chỉ đạo", "Thực hiện nghiêm", "Xây dựng",
    "Củng cố", "Rà soát, sắp xếp", "Chú trọng", "Quan tâm đầu tư cho", "Đẩy mạnh ứng dụng",
    "Đa dạng hóa", "Cụ thể hóa",
]  # fmt: skip
SUBJECTS = [
    "công tác xây dựng Đảng", "công tác cán bộ", "công tác kiểm tra, giám sát",
    "kỷ luật, kỷ cương hành chính", "tổ chức bộ máy của hệ thống chính trị",
    "đội ngũ cán bộ, đảng viên", "công tác phát triển đảng viên", "chuyển đổi số",
    "cải cách hành chính", "môi trường đầu tư kinh doanh", "công tác dân vận",
    "đấu tranh phòng, chống tham nhũng, lãng phí, tiêu cực", "sinh hoạt chi bộ",
    "công tác tuyên truyền, giáo dục chính trị tư tưởng", "thể chế, chính sách phát triển",
    "năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng", "hạ tầng giao thông",
    "xây dựng nông thôn mới", "chất lượng y tế, giáo dục", "thế trận quốc phòng toàn dân",
    "công tác đánh giá, xếp loại chất lượng", "quy hoạch, đào tạo, bồi dưỡng cán bộ trẻ",
    "khối đại đoàn kết toàn dân tộc", "bảo vệ nền tảng tư tưởng của Đảng",
]  # fmt: skip
PLACES = [
    "ở cơ sở", "tại các xã, phường, thị trấn", "trong các cơ quan, đơn vị",
    "ở vùng đồng bào dân tộc thiểu số", "trong doanh nghiệp ngoài khu vực nhà nước",
    "ở các huyện miền núi", "tại các khu công nghiệp", "trong lực lượng vũ trang",
    "ở khu dân cư",
]  # fmt: skip
PURPOSES = [
    "bảo đảm tinh gọn, hoạt động hiệu lực, hiệu quả",
    "đáp ứng yêu cầu, nhiệm vụ trong giai đoạn mới",
    "góp phần thực hiện thắng lợi các nhiệm vụ chính trị của tỉnh",
    "tạo sự chuyển biến rõ nét về nhận thức và hành động",
    "nâng cao đời sống vật chất, tinh thần của nhân dân",
    "phù hợp với tình hình thực tiễn của địa phương",
    "gắn với trách nhiệm của người đứng đầu",
    "khơi dậy khát vọng phát triển, ý chí tự lực, tự cường",
    "củng cố niềm tin của nhân dân đối với Đảng",
    "phát huy vai trò tiên phong, gương mẫu của đảng viên",
]  # fmt: skip
SHORTCOMINGS = [
    "chất lượng còn hạn chế", "chưa sát với tình hình thực tế", "còn hình thức, chưa thực chất",
    "gặp nhiều khó khăn", "chưa đáp ứng yêu cầu", "còn chậm, thiếu quyết liệt",
    "chưa được quan tâm đúng mức", "hiệu quả chưa cao",
]  # fmt: skip
WHO_FALLS_SHORT = [
    "ở một số cấp ủy", "ở một số địa phương, đơn vị", "của một bộ phận cán bộ, đảng viên",
    "ở một số chi bộ", "tại một số cơ quan",
]  # fmt: skip
ADDRESSEES = [
    "các cấp ủy, tổ chức Đảng, cơ quan, đơn vị, địa phương",
    "các đơn vị, địa phương",
    "các sở, ban, ngành",
    "Mặt trận Tổ quốc và các đoàn thể chính trị - xã hội",
]  # fmt: skip
ORDINALS = ["thứ nhất", "thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy"]
SHARES = {  # each file's variable records, by kind
    "key_tasks": 0.10,
    "solutions": 0.10,
    "achievements": 0.25,
    "limitations": 0.20,
    "directives": 0.15,
    "statistics": 0.20,
}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


@dataclass
class Article:
    """A document under construction; records note where their quote is so it can be cited."""

    paragraphs: list[str] = field(default_factory=list)
    length: int = 0

    def add(self, paragraph: str) -> int:
        if self.paragraphs:
            self.length += 2
        start = self.length
        self.paragraphs.append(paragraph)
        self.length += len(paragraph)
        return start

    def text(self) -> str:
        return "\n\n".join(self.paragraphs) + "\n"


@dataclass
class Cite:
    quote: str
    at: int | None = None  # offset of the intended occurrence; None: the first


@dataclass
class SeedFileBuilder:
    article: Article = field(default_factory=Article)
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def record(self, kind: str, record: dict[str, Any], *cites: Cite) -> None:
        record["sources"] = list(cites)
        self.lists.setdefault(kind, []).append(record)

    def count(self) -> int:
        return sum(len(records) for records in self.lists.values())


def _sentence(rng: random.Random) -> str:
    clause = f"{rng.choice(ACTIONS)} {rng.choice(SUBJECTS)} {rng.choice(PLACES)}"
    if rng.random() < 0.5:
        clause += f", gắn với {rng.choice(SUBJECTS)}"
    return f"{clause}, {rng.choice(PURPOSES)}"


def _shortcoming(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS)
    return f"{subject[0].upper()}{subject[1:]} {rng.choice(WHO_FALLS_SHORT)} " + (
        f"{rng.choice(SHORTCOMINGS)}; {rng.choice(SHORTCOMINGS)}"
    )


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_NAMES)} {rng.choice(GIVEN_NAMES)}"


def _counts(variable: int) -> dict[str, int]:
    counts = {kind: int(variable * share) for kind, share in SHARES.items()}
    counts["achievements"] += variable - sum(counts.values())
    return counts


def build_file(
    rng: random.Random, province: str, term: tuple[int, int], records: int, first: bool
) -> SeedFileBuilder:
    """One article and its records for one province and term, about `records` records."""
    p = slug(province)
    start, end = term
    term_id = f"{p}-{start}-{end}"
    org = {
        "dang_bo": f"dang-bo-tinh-{p}",
        "tinh_uy": f"tinh-uy-{p}",
        "btv": f"ban-thuong-vu-tinh-uy-{p}",
        "ubnd": f"ubnd-tinh-{p}",
        "hdnd": f"hdnd-tinh-{p}",
    }
    b = SeedFileBuilder()
    a = b.article
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    names: list[str] = []
    while len(names) < 4:  # distinct, because a person's id is made from the name
        name = _name(rng)
        if name not in names:
            names.append(name)
    secretary, deputy, chair, reporter = names
    title = f"Tỉnh ủy {province} tổng kết công tác xây dựng Đảng nhiệm kỳ {start} - {end}"
    a.add("Chỉ đạo, Điều hành")
    a.add(title)
    a.add(province)
    caption = (
        f"Trong ảnh: Bí thư Tỉnh ủy {province} {secretary}; Phó Bí thư Thường trực Tỉnh ủy "
        f"{province} {deputy}; Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh {province} {chair} "
        "chủ trì hội nghị."
    )
    a.add(caption)
    credit_at = a.add(f"Ảnh: {reporter}/TTXVN")
    event_sentence = (
        f"TTXVN - Ngày {day}/{month}, Tỉnh ủy {province} tổ chức hội nghị Tổng kết công tác "
        f"xây dựng Đảng, nhiệm kỳ {start} - {end} của Đảng bộ tỉnh {province}."
    )
    event_at = a.add(event_sentence)

    b.record(
        "documents",
        {
            "id": f"ttxvn-{term_id}-xay-dung-dang",
            "file": f"documents/{term_id}.txt",
            "title": title,
            "section": "Chỉ đạo, Điều hành",
            "place": province,
            "dateline_text": f"Ngày {day}/{month}",
            "publisher_id": "ttxvn",
            "author_id": f"{slug(reporter)}-{term_id}",
            "photo_caption": caption,
            "photo_credit": f"{reporter}/TTXVN",
            "language": "vi",
        },
        Cite("Chỉ đạo, Điều hành", 0),
        Cite(title),
        Cite(f"TTXVN - Ngày {day}/{month}", event_at),
    )
    if first:
        b.record(
            "areas",
            {"id": p, "name": province, "classification": "province"},
            Cite(f"Đảng bộ tỉnh {province}"),
        )
        organizations = [
            ("dang_bo", f"Đảng bộ tỉnh {province}", "party_organization", None),
            ("tinh_uy", f"Tỉnh ủy {province}", "party_committee", "dang_bo"),
            ("btv", f"Ban Thường vụ Tỉnh ủy {province}", "standing_committee", "tinh_uy"),
            ("ubnd", f"UBND tỉnh {province}", "peoples_committee", None),
            ("hdnd", f"HĐND tỉnh {province}", "peoples_council", None),
        ]
        for key, name, classification, parent in organizations:
            at = a.add(f"{name} đã tham gia chỉ đạo, tổ chức thực hiện các nhiệm vụ của nhiệm kỳ.")
            b.record(
                "organizations",
                {
                    "id": org[key],
                    "name": name,
                    "classification": classification,
                    "area_id": p,
                    **({"parent_id": org[parent]} if parent else {}),
                },
                Cite(name, at),
            )

    deputy_secretary = ("tinh_uy", "Phó Bí thư Tỉnh ủy", "Deputy Secretary of the Party Committee")
    people = {
        "secretary": (
            secretary,
            [("tinh_uy", "Bí thư Tỉnh ủy", "Secretary of the Party Committee")],
        ),
        "deputy": (
            deputy,
            [("tinh_uy", "Phó Bí thư Thường trực Tỉnh ủy", "Standing Deputy Secretary")],
        ),
        "chair": (
            chair,
            [
                deputy_secretary,
                ("ubnd", "Chủ tịch UBND tỉnh", "Chairman of the People's Committee"),
            ],
        ),
    }
    person_ids = {role: f"{slug(name)}-{term_id}" for role, (name, _posts) in people.items()}
    printed = {
        "secretary": f"Bí thư Tỉnh ủy {province} {secretary}",
        "deputy": f"Phó Bí thư Thường trực Tỉnh ủy {province} {deputy}",
        "chair": f"Chủ tịch UBND tỉnh {province} {chair}",
    }
    for role, (name, posts) in people.items():
        b.record("people", {"id": person_ids[role], "name": name}, Cite(printed[role]))
        for key, post, post_en in posts:
            b.record(
                "memberships",
                {
                    "id": f"{person_ids[role]}-{slug(post)}",
                    "person_id": person_ids[role],
                    "organization_id": org[key],
                    "role": post,
                    "role_en": post_en,
                },
                Cite(post),
            )
    b.record(
        "people",
        {"id": f"{slug(reporter)}-{term_id}", "name": reporter},
        Cite(f"Ảnh: {reporter}/TTXVN", credit_at),
    )
    b.record(
        "terms",
        {
            "id": term_id,
            "organization_id": org["dang_bo"],
            "label": f"nhiệm kỳ {start} - {end}",
            "start_year": start,
            "end_year": end,
            "status": "reviewed" if end <= 2025 else "planned",
        },
        Cite(f"xây dựng Đảng, nhiệm kỳ {start} - {end}"),
    )
    b.record(
        "events",
        {
            "id": f"{term_id}-hoi-nghi-tong-ket",
            "name": f"hội nghị Tổng kết công tác xây dựng Đảng, nhiệm kỳ {start} - {end}",
            "classification": "conference",
            "organizer_id": org["tinh_uy"],
            "date_text": f"Ngày {day}/{month}",
            "day": day,
            "month": month,
            "reviewed_term_id": term_id,
            "chair_ids": list(person_ids.values()),
        },
        Cite(event_sentence, event_at),
    )

    counts = _counts(max(0, records - b.count()))
    for index in range(1, counts["key_tasks"] + 1):
        text = _sentence(rng)
        ordinal = ORDINALS[(index - 1) % len(ORDINALS)]
        at = a.add(f"Nhiệm vụ trọng tâm {ordinal} là: {text}.")
        b.record(
            "key_tasks",
            {"id": f"{term_id}-task-{index}", "term_id": term_id, "text": text},
            Cite(text, at + len(f"Nhiệm vụ trọng tâm {ordinal} là: ")),
        )
    for index in range(1, counts["solutions"] + 1):
        text = _sentence(rng)
        at = a.add(f"Giải pháp đột phá: {text}.")
        b.record(
            "solutions",
            {"id": f"{term_id}-solution-{index}", "term_id": term_id, "text": text},
            Cite(text, at + len("Giải pháp đột phá: ")),
        )
    for index in range(1, counts["achievements"] + 1):
        done = _sentence(rng)
        text = f"Tỉnh đã {done[0].lower()}{done[1:]}"
        at = a.add(f"Nhiệm kỳ qua, {text}.")
        b.record(
            "achievements",
            {"id": f"{term_id}-achievement-{index}", "term_id": term_id, "text": text},
            Cite(text, at + len("Nhiệm kỳ qua, ")),
        )
    for index in range(1, counts["limitations"] + 1):
        text = _shortcoming(rng)
        at = a.add(f"Bên cạnh đó, còn bộc lộ hạn chế, tồn tại. {text}.")
        b.record(
            "limitations",
            {"id": f"{term_id}-limitation-{index}", "term_id": term_id, "text": text},
            Cite(text, at + len("Bên cạnh đó, còn bộc lộ hạn chế, tồn tại. ")),
        )
    for index in range(1, counts["directives"] + 1):
        addressees = rng.choice(ADDRESSEES)
        text = _sentence(rng)
        lead = f"Bí thư Tỉnh ủy {secretary} đề nghị {addressees} "
        at = a.add(f"{lead}{text[0].lower()}{text[1:]}.")
        b.record(
            "directives",
            {
                "id": f"{term_id}-directive-{index}",
                "term_id": term_id,
                "issuer_id": person_ids["secretary"],
                "addressees": addressees,
                "text": text,
            },
            Cite(f"{addressees} {text[0].lower()}{text[1:]}", at + len(lead) - len(addressees) - 1),
        )
    for index in range(1, counts["statistics"] + 1):
        record, sentence = _statistic(rng, province, start, end)
        at = a.add(sentence)
        b.record(
            "statistics",
            {
                "id": f"{term_id}-statistic-{index}",
                **record,
                "term_id": term_id,
                "organization_id": org["btv"]
                if record["category"] == "discipline"
                else org["dang_bo"],
            },
            Cite(sentence, at),
        )
    return b


def _statistic(
    rng: random.Random, province: str, start: int, end: int
) -> tuple[dict[str, Any], str]:
    kind = rng.randrange(4)
    if kind == 0:
        value = rng.randint(800, 12000)
        return {
            "key": "party-members-admitted",
            "category": "membership",
            "value": value,
            "qualifier": "more_than",
            "unit": "people",
            "period_start": start,
            "period_end": end,
            "as_of_text": f"Trong nhiệm kỳ {start} - {end}",
            "label_vi": "Đảng viên được kết nạp",
            "label_en": "Party members admitted",
        }, f"Trong nhiệm kỳ {start} - {end}, toàn tỉnh kết nạp được trên {value} đảng viên."
    if kind == 1:
        collectives = rng.randint(3, 80)
        return {
            "key": "collectives-reviewed-for-shortcomings",
            "category": "discipline",
            "value": collectives,
            "qualifier": "exact",
            "unit": "collectives",
            "period_start": start,
            "as_of_text": f"Từ năm {start} đến nay",
            "label_vi": "Tập thể có hạn chế, khuyết điểm được xem xét, kiểm điểm",
            "label_en": "Collectives with shortcomings reviewed and held to account",
        }, (
            f"Từ năm {start} đến nay, Ban Thường vụ Tỉnh ủy {province} đã xem xét, kiểm điểm, "
            f"làm rõ trách nhiệm đối với {collectives} tập thể có hạn chế, khuyết điểm."
        )
    if kind == 2:
        low = rng.randint(1, 4)
        return {
            "key": "party-member-growth-target",
            "category": "target",
            "value": low,
            "value_max": low + 1,
            "qualifier": "range",
            "unit": "percent_per_year",
            "as_of_text": "hằng năm",
            "label_vi": "Mục tiêu phát triển đảng viên mới so với tổng số đảng viên",
            "label_en": "Target for new party members as a share of total membership",
        }, f"Mục tiêu phát triển đảng viên mới đạt {low}% - {low + 1}% tổng số đảng viên hằng năm."
    secretaries = rng.randint(20, 300)
    return {
        "key": "secretaries-chairing-peoples-councils",
        "category": "organization",
        "value": secretaries,
        "qualifier": "exact",
        "unit": "people",
        "as_of_text": "Hiện",
        "label_vi": "Bí thư cấp ủy đồng thời là Chủ tịch HĐND các cấp",
        "label_en": "Party committee secretaries who also chair People's Councils",
    }, f"Hiện, toàn tỉnh có {secretaries} Bí thư cấp ủy đồng thời là Chủ tịch HĐND các cấp."


def _resolve(locator: QuoteLocator, cite: Cite) -> dict[str, Any]:
    """The source entry the loader needs: the quote, with `occurrence` when it repeats."""
    occurrence = 1
    while True:  # QuoteNotFound here is a bug in this generator, and stops it
        start, _ = locator.locate(cite.quote, occurrence)
        if cite.at is None or start == cite.at:
            break
        occurrence += 1
    try:
        locator.locate(cite.quote)
    except QuoteAmbiguous:
        return {"quote": cite.quote, "occurrence": occurrence}
    return {"quote": cite.quote}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(type(value))


def render(builder: SeedFileBuilder, locator: QuoteLocator) -> str:
    lines = ["# Synthetic data generated by bench/generate.py; not a real article.", ""]
    for kind in ("documents", "areas", "organizations", "people", "memberships", "terms",
                 "events", "key_tasks", "solutions", "achievements", "limitations",
                 "directives", "statistics"):  # fmt: skip
        for record in builder.lists.get(kind, []):
            lines.append(f"[[{kind}]]")
            for key, value in record.items():
                if key == "sources":
                    value = [_resolve(locator, cite) for cite in value]
                lines.append(f"{key} = {_toml_value(value)}")
            lines.append("")
    return "\n".join(lines)


def _publisher_file() -> tuple[str, str]:
    text = "TTXVN\n\nThông tấn xã Việt Nam (TTXVN) là cơ quan thông tấn quốc gia.\n"
    toml = "\n".join(
        [
            "# Synthetic data generated by bench/generate.py: the publisher every article cites.",
            "",
            "[[documents]]",
            'id = "ttxvn-gioi-thieu"',
            'file = "documents/ttxvn.txt"',
            'title = "TTXVN"',
            'sources = [{ quote = "Thông tấn xã Việt Nam (TTXVN)" }]',
            "",
            "[[organizations]]",
            'id = "ttxvn"',
            'name = "TTXVN"',
            'classification = "news_agency"',
            'sources = [{ quote = "Thông tấn xã Việt Nam (TTXVN) là cơ quan thông tấn quốc gia" }]',
            "",
        ]
    )
    return toml, text


def plan(records: int) -> Iterator[tuple[str, tuple[int, int], int, bool]]:
    """(province, term, records in its file, first file of the province), spread evenly."""
    slots = [(province, term) for term in TERMS for province in PROVINCES]
    files = max(1, min(len(slots), math.ceil(records / RECORDS_PER_FILE)))
    seen: set[str] = set()
    for index, (province, term) in enumerate(slots[:files]):
        share = records // files + (1 if index < records % files else 0)
        yield province, term, share, province not in seen
        seen.add(province)


def generate(records: int, out: Path, seed: int = 0) -> tuple[int, int]:
    """Writes the dataset; returns (files, records)."""
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "documents").mkdir(parents=True)
    toml, text = _publisher_file()
    (out / "000-ttxvn.toml").write_text(toml, encoding="utf-8")
    (out / "documents" / "ttxvn.txt").write_text(text, encoding="utf-8")
    files, total = 1, 2
    for province, term, share, first in plan(records):
        builder = build_file(rng, province, term, share, first)
        document_text = builder.article.text()
        name = f"{slug(province)}-{term[0]}-{term[1]}"
        (out / "documents" / f"{name}.txt").write_text(document_text, encoding="utf-8")
        rendered = render(builder, QuoteLocator(document_text))
        (out / f"{name}.toml").write_text(rendered, encoding="utf-8")
        files += 1
        total += builder.count()
    return files, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=100_000, help="records to generate")
    parser.add_argument("--out", type=Path, required=True, help="folder to (re)create")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same files)")
    args = parser.parse_args()
    files, total = generate(args.records, args.out, args.seed)
    print(f"generate: {files} seed files, {total} records in {args.out}")


if __name__ == "__main__":
    main()
