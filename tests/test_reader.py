"""The reader recovers the report's structure from the PDF-extracted text."""

from __future__ import annotations

from datetime import date

import pytest

from kg.errors import InputError
from kg.reader.report import read_report_file
from conftest import write_report


def test_paragraphs_parts_and_sections(report):
    assert [p.number for p in report.paragraphs] == list(range(1, 165))
    assert [(p.number, p.title) for p in report.parts] == [
        (1, "产权组织独自开展的活动和倡议"),
        (2, "产权组织作为联合国系统的一部分开展的活动"),
        (3, "产权组织应成员国要求向其提供的援助"),
    ]
    assert [s.goal for s in report.sections] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17]
    assert all(s.part == 1 for s in report.sections)


def test_metadata(report):
    meta = report.metadata
    assert meta.symbol == "CDIP/32/3"
    assert meta.date == date(2024, 3, 20)
    assert meta.language == "zh-Hans"  # BCP 47: Simplified characters (docs/languages.md)
    assert meta.original_language == "en"
    assert meta.committee == "发展与知识产权委员会"
    assert meta.committee_acronym == "CDIP"
    assert meta.session == 32
    assert (meta.session_start, meta.session_end) == (date(2024, 4, 29), date(2024, 5, 3))
    assert meta.session_place == "日内瓦"
    assert meta.title == "关于产权组织对落实可持续发展目标及其相关具体目标所作贡献的报告"
    assert meta.prepared_by == "秘书处"


def test_paragraph_placement(report):
    # 1-3 are the introduction, before any part; 4 opens part 1 before the first SDG section.
    assert (report.paragraph(3).part, report.paragraph(3).section) == (None, None)
    assert (report.paragraph(4).part, report.paragraph(4).section) == (1, None)
    sections = {s.ordinal: s.goal for s in report.sections}
    assert sections[report.paragraph(5).section] == 2
    assert sections[report.paragraph(68).section] == 8
    assert sections[report.paragraph(155).section] == 17
    # Part 2 and 3 have no SDG sections: the goal 17 section ends with part 1.
    assert (report.paragraph(156).part, report.paragraph(156).section) == (2, None)
    assert (report.paragraph(164).part, report.paragraph(164).section) == (3, None)


def test_wrapped_section_headings_are_joined(report):
    titles = {s.goal: s.title for s in report.sections}
    assert titles[8] == ("可持续发展目标 8：促进持久、包容和可持续的经济增长，促进充分的生产性就业和人人获得体面工作")
    assert titles[16].endswith("让所有人都能诉诸司法，在各级建立有效、负责和包容的机构")


def test_inline_list_is_not_a_part_heading(report):
    assert report.paragraph(2).text.endswith(
        "最新信息：一、产权组织独自开展的活动和倡议；二、产权组织作为联合国系统的一部分开展的活动；"
        "以及三、产权组织应成员国要求向其提供的援助。")


def test_bullet_items(report):
    counts = {p.number: len(p.items) for p in report.paragraphs if p.items}
    assert counts == {6: 3, 7: 2, 33: 3, 42: 3, 62: 21, 73: 13, 77: 8, 105: 3, 108: 5, 121: 7,
                      122: 2, 139: 3, 143: 9}
    p7 = report.paragraph(7)
    assert p7.text[: p7.items[0].start] == "上述项目报告了以下成果：\n"
    first = p7.text[p7.items[0].start:p7.items[0].end]
    assert first.startswith("作为产权组织 2019 冠状病毒病（COVID-19）一揽子应对方案一部分，受大流行影响的智利")
    # The second item crosses a page break (footnote 2 and four URLs in between).
    second = p7.text[p7.items[1].start:p7.items[1].end]
    assert "与联合国粮食及农业组织（粮农组织）和法国开发署（AFD）合作实施" in second
    assert second.endswith("其他项目也在中国信托基金的支持下在柬埔寨和多哥实施。")


def test_a_bullet_at_a_page_start(report):
    p73 = report.paragraph(73)
    texts = [p73.text[i.start:i.end] for i in p73.items]
    assert texts[9].startswith("为国家知识产权局举办的关于 XML 数据交换的在线培训讲习班")


def test_lines_are_joined_without_spaces_between_chinese_and_with_them_between_latin(report):
    assert "WIPO GREEN 加速项目" in report.paragraph(64).text
    assert "Khanh Thien Pharmaceuticals 合作" in report.paragraph(30).text
    assert "开发和免费使用 WIPO Translate（已纳入 PATENTSCOPE）" in report.paragraph(89).text
    assert "联合国粮食及农业组织（粮农组织）" in report.paragraph(7).text
    for paragraph in report.paragraphs:
        assert "  " not in paragraph.text
        assert "http" not in paragraph.text, paragraph.number


def test_footnotes_attach_to_the_paragraph_carrying_their_mark(report):
    assert {f.number: f.paragraph for f in report.footnotes} == {1: 1, 2: 7, 3: 9, 4: 9, 5: 67, 6: 115}
    fn4 = next(f for f in report.footnotes if f.number == 4)
    assert fn4.text == ("2022 年 7 月，产权组织成员国决定不晚于 2024 年召开一次外交会议，以缔结一项关于知识产权、"
                        "遗传资源和遗传资源相关传统知识的国际法律文书。")
    p1 = report.paragraph(1)
    (mark,) = p1.marks
    assert p1.text[mark.offset - 3:mark.offset + 3] == "报告。本报告"
    # A mark never leaves its digit in the text.
    assert "（CER），从而" in report.paragraph(67).text


def test_page_foot_urls_are_links_not_text(report):
    assert report.paragraph(7).links == [
        "https://www.wipo.int/treaties/en/registration/lisbon/summary_lisbon.html",
        "https://www.wipo.int/treaties/en/registration/lisbon/summary_lisbon-geneva.html",
        "https://www.wipo.int/wipo_magazine/en/2020/02/article_0006.html",
        "https://www.wipo.int/web/covid-19",
    ]
    assert report.paragraph(3).links == ["https://sdgs.un.org/goals"]
    assert sum(len(p.links) for p in report.paragraphs) == 75  # 82 URL lines, 7 repeated on their page


def test_every_character_maps_back_to_the_source(report):
    for unit in [*report.paragraphs, *report.footnotes]:
        covered = set()
        for text_offset, source_offset, length in unit.offsets.runs:
            assert report.text[source_offset:source_offset + length] == unit.text[text_offset:text_offset + length]
            covered.update(range(text_offset, text_offset + length))
        inserted = {unit.text[i] for i in range(len(unit.text)) if i not in covered}
        assert inserted <= {" ", "\n"}
    p64 = report.paragraph(64)
    start = p64.text.index("WIPO GREEN 加速项目")
    source_start, source_end = p64.offsets.span_to_source(start, start + len("WIPO GREEN"))
    assert report.text[source_start:source_end].split() == ["WIPO", "GREEN"]


def test_source_offsets_of_paragraphs(report):
    p1 = report.paragraph(1)
    start, end = p1.source_span
    assert report.text[start:start + 6] == "本文件载有关于"[:6]
    assert report.text[:end].endswith("提交一份相关年\n\n度报告。")


# -- bad input -------------------------------------------------------------------

def _error(path) -> str:
    with pytest.raises(InputError) as info:
        read_report_file(path)
    return str(info.value)


def test_missing_paragraph_number(tmp_path):
    path = write_report(tmp_path, ["1. 第一段。", "2. 第二段。", "4. 第四段。"])
    assert _error(path) == f"{path}:13: paragraph 3 is missing (paragraph 4 follows paragraph 2)"


def test_duplicated_paragraph_number(tmp_path):
    path = write_report(tmp_path, ["1. 第一段。", "2. 第二段。", "2. 又是第二段。"])
    assert _error(path) == f"{path}:13: paragraph 2 appears twice (first at line 11)"


def test_out_of_order_paragraph_number(tmp_path):
    path = write_report(tmp_path, ["1. 第一段。", "3. 第三段。", "2. 第二段。"])
    assert _error(path) == f"{path}:11: paragraphs out of order: paragraph 3 comes before paragraph 2 (line 13)"


def test_no_numbered_paragraphs(tmp_path):
    path = write_report(tmp_path, ["这是一篇没有编号段落的文字。"])
    assert _error(path) == f"{path}: no numbered paragraphs found (expected lines such as '1. ...')"


def test_empty_and_binary_files(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert _error(empty) == f"{empty}: empty file"
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\n  \n")
    assert _error(blank) == f"{blank}: empty file"
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 10)
    assert _error(binary) == f"{binary}: binary file (contains NUL bytes), not a text report"


def test_legacy_and_utf16_encodings_are_read(tmp_path):
    paragraphs = ["1. 产权组织促进实现具体目标 4.4。", "2. 第二段。"]
    gbk = write_report(tmp_path, paragraphs, name="gbk.txt", encoding="gbk")
    utf16 = write_report(tmp_path, paragraphs, name="utf16.txt", encoding="utf-16")
    for path, encoding in ((gbk, "gb18030"), (utf16, "utf-16")):
        document = read_report_file(path)
        assert document.encoding == encoding
        assert document.paragraph(1).text == "产权组织促进实现具体目标 4.4。"


def test_undecodable_bytes_are_refused_with_their_place(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("1. Caf\xe9 et cr\xe8me.\n".encode("latin-1"))
    assert _error(path) == (f"{path}:1: not UTF-8 text: byte 0xe9 at offset 6 cannot be decoded "
                            "(convert the file to UTF-8)")
