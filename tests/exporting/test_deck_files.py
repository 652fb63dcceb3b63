"""The presentation as files: the PowerPoint's native charts read back from their XML against separate SQL,
the slide texts and notes, and the PDF's one page per slide."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import duckdb
import pytest
from lxml import etree
from pptx import Presentation
from pypdf import PdfReader

from joblog_dash import cli
from joblog_dash.exporting import files as exports

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
ARGS = ["--month", "2018-09", "--group", "kontanthjaelp", "--area", "region-sjaelland", "--kommune", "360"]
ARGS += ["--from", "2017-09"]


def sql_shares(facts: Path, where: str, by: str) -> dict[object, tuple[float, int]]:
    """(share joblogged, persons) per `by`, straight from the parquet."""
    rows = duckdb.sql(
        f"""SELECT {by}, (sum(persons) - sum(persons_0)) / sum(persons), sum(persons)::BIGINT
        FROM read_parquet('{facts}') WHERE benefit_group = 'kontanthjaelp' AND {where} GROUP BY {by}"""
    ).fetchall()
    return {key: (float(share), int(persons)) for key, share, persons in rows}


SJAELLAND = (
    "municipality_code IN (SELECT code FROM read_csv('data/reference/municipalities.csv') "
    "WHERE region = 'Region Sjælland')"
)


@pytest.fixture(scope="module")
def pptx_file(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deck") / "deck.pptx"
    assert cli.main(["export", "deck", *ARGS, "--out", str(out)]) == 0
    return out


def _points(ser: etree._Element, tag: str) -> list[object]:
    node = ser.find(tag)
    if node is None:
        return []
    cache = node.find(f".//{C}numCache")
    cache = cache if cache is not None else node.find(f".//{C}strCache")
    values: list[object] = [None] * int(cache.find(f"{C}ptCount").get("val"))
    for pt in cache.iter(f"{C}pt"):
        text = pt.find(f"{C}v").text
        values[int(pt.get("idx"))] = float(text) if cache.tag == f"{C}numCache" else text
    return values


def series(chart_xml: bytes) -> list[dict[str, object]]:
    """Each series of a chart part: name, categories or x values, values (None where a point is empty)."""
    return [
        {
            "name": ser.find(f"{C}tx").find(f".//{C}v").text,
            "cat": _points(ser, f"{C}cat"),
            "x": _points(ser, f"{C}xVal"),
            "y": _points(ser, f"{C}val") or _points(ser, f"{C}yVal"),
        }
        for ser in etree.fromstring(chart_xml).iter(f"{C}ser")
    ]


def charts(path: Path) -> list[tuple[object, list[dict[str, object]]]]:
    deck = Presentation(str(path))
    out = []
    for slide in deck.slides:
        chart = next(shape.chart for shape in slide.shapes if shape.has_chart)
        out.append((chart, series(chart.part.blob)))
    return out


def test_every_slide_has_title_sentence_source_demo_label_and_notes(pptx_file: Path):
    deck = Presentation(str(pptx_file))
    assert len(deck.slides) == 4
    for slide in deck.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        assert len(texts) == 4 and all(texts)
        assert texts[2].startswith("Kilde: ") and texts[3] == exports.DEMO_STATUS
        notes = slide.notes_slide.notes_text_frame.text
        assert texts[0] in notes and len(notes.splitlines()) >= 2
    assert "Lolland" in deck.slides[3].shapes[0].text_frame.text


def test_charts_are_native_and_carry_their_data(pptx_file: Path):
    for chart, _ in charts(pptx_file):
        assert chart.part.chart_workbook.xlsx_part is not None  # "Rediger data" opens the embedded workbook
        workbook = chart.part.chart_workbook.xlsx_part.blob
        assert zipfile.ZipFile(io.BytesIO(workbook)).namelist()


def test_trend_and_municipality_lines_equal_sql(pptx_file: Path, demo_facts_path: Path):
    found = charts(pptx_file)
    national = sql_shares(demo_facts_path, "month BETWEEN DATE '2017-09-01' AND DATE '2018-09-01'", "month")
    expected = [national[m][0] for m in sorted(national)]
    trend = found[0][1]
    assert trend[0]["name"] == "Hele landet" and trend[0]["cat"][0] == "sep. 2017"
    assert trend[0]["y"] == pytest.approx(expected, abs=1e-9)
    lolland = sql_shares(
        demo_facts_path,
        "municipality_code = 360 AND month BETWEEN DATE '2017-09-01' AND DATE '2018-09-01'",
        "month",
    )
    own = {s["name"]: s for s in found[3][1]}
    assert own["Lolland"]["y"] == pytest.approx([lolland[m][0] for m in sorted(lolland)], abs=1e-9)
    assert own["Hele landet"]["y"] == pytest.approx(expected, abs=1e-9)


def test_spread_and_funnel_points_equal_sql(pptx_file: Path, demo_facts_path: Path):
    found = charts(pptx_file)
    shares = sql_shares(demo_facts_path, f"month = DATE '2018-09-01' AND {SJAELLAND}", "municipality_code")
    assert len(shares) == 17
    spread = {s["name"]: s for s in found[1][1]}
    assert spread["Lolland"]["y"] == pytest.approx([shares[360][0]], abs=1e-9)  # the chosen one, named
    dots = sorted(spread["Kommuner"]["y"] + spread["Lolland"]["y"])  # type: ignore[operator]
    assert dots == pytest.approx(sorted(s for s, n in shares.values() if n >= 5), abs=1e-9)
    persons = sum(n for _, n in shares.values())
    pooled = sum(s * n for s, n in shares.values()) / persons
    assert spread["Region Sjælland: " + f"{pooled * 100:.1f}".replace(".", ",") + " pct."][
        "y"
    ] == pytest.approx([pooled, pooled], abs=1e-9)
    funnel = {s["name"]: s for s in found[2][1]}
    points = sorted(zip(funnel["Kommuner"]["x"], funnel["Kommuner"]["y"], strict=True))  # type: ignore[arg-type]
    expected = sorted((float(n), s) for code, (s, n) in shares.items() if code != 360 and n >= 5)
    assert [p[0] for p in points] == [e[0] for e in expected]
    assert [p[1] for p in points] == pytest.approx([e[1] for e in expected], abs=1e-9)
    assert funnel["Lolland"]["x"] == [float(shares[360][1])]
    # the funnel's x axis is logarithmic, as on screen
    funnel_chart = found[2][0]
    assert funnel_chart.category_axis._element.find(f"{C}scaling/{C}logBase").get("val") == "10"


def test_pdf_has_one_page_per_slide(demo_data_dir: Path, tmp_path: Path):
    out = tmp_path / "deck.pdf"
    assert cli.main(["export", "deck", *ARGS, "--out", str(out)]) == 0
    reader = PdfReader(str(out))
    assert len(reader.pages) == 4
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert texts[3].startswith("Lolland: ") and all("Demodata" in text for text in texts)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "deck", "--out", "x.docx"], "pptx eller pdf"),
        (["export", "deck", "--from", "2030-01", "--out", "x.pptx"], "Ugyldig startmåned"),
        (["export", "deck", "--format", "pptx"], "kræver --out"),
        (["export", "briefs", "--out", "x.zip"], "kræver et område"),
        (["export", "trend", "--format", "pptx"], "findes kun for deck"),
    ],
)
def test_bad_arguments_get_a_danish_line(
    argv: list[str], message: str, demo_data_dir: Path, capsys, tmp_path: Path
):
    argv = [a if not a.startswith("x.") else str(tmp_path / a) for a in argv]
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_without_kommune_the_last_slide_is_the_follow_up_choice_and_says_why(
    demo_data_dir: Path, tmp_path: Path
):
    out = tmp_path / "deck.pptx"
    argv = ["export", "deck", "--month", "2018-09", "--area", "region-sjaelland", "--out", str(out)]
    assert cli.main(argv) == 0
    texts = [
        shape.text_frame.text for shape in Presentation(str(out)).slides[3].shapes if shape.has_text_frame
    ]
    assert texts[1].startswith("Valgt som kommunen med størst behov for opfølgning: ")
    assert not texts[0].startswith("København")


def test_chosen_municipalities_on_the_last_slide_and_a_third_brief_page(
    demo_data_dir: Path, demo_facts_path: Path, tmp_path: Path
):
    out = tmp_path / "deck.pptx"
    assert cli.main(["export", "deck", *ARGS, "--compare", "147,Aalborg", "--out", str(out)]) == 0
    last = {s["name"]: s for s in charts(out)[3][1]}
    frederiksberg = sql_shares(
        demo_facts_path,
        "municipality_code = 147 AND month BETWEEN DATE '2017-09-01' AND DATE '2018-09-01'",
        "month",
    )
    assert last["Frederiksberg"]["y"] == pytest.approx([frederiksberg[m][0] for m in sorted(frederiksberg)])
    assert "Aalborg" in last
    brief_pdf = tmp_path / "brief.pdf"
    argv = ["brief", "--kommune", "360", "--month", "2018-09", "--compare", "147", "--out", str(brief_pdf)]
    assert cli.main(argv) == 0
    reader = PdfReader(str(brief_pdf))
    assert len(reader.pages) == 3
    third = " ".join(reader.pages[2].extract_text().split())
    share, persons = frederiksberg[max(frederiksberg)]
    assert "Sammenlignet med valgte kommuner" in third
    assert f"Frederiksberg {persons} {share * 100:.1f} %".replace(".", ",") in third


def test_a_share_published_only_as_a_bound_is_not_a_point_among_the_shares(
    demo_data_dir: Path, demo_facts_path: Path, tmp_path: Path
):
    out = tmp_path / "national.pptx"
    assert cli.main(["export", "deck", "--month", "2018-09", "--kommune", "360", "--out", str(out)]) == 0
    spread = {s["name"]: s for s in charts(out)[1][1]}
    shares = [
        s for s, n in sql_shares(demo_facts_path, "month = DATE '2018-09-01'", "municipality_code").values()
    ]
    bounds = [name for name in spread if name.startswith("Kommuner, ")]
    assert bounds, "the demo's September 2018 has shares published only as bounds"
    for value in spread["Kommuner"]["y"]:  # type: ignore[union-attr]
        assert min(abs(value - s) for s in shares) < 1e-9, value  # every plain point is a real share
