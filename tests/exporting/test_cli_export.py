"""`joblog-dash export` and `joblog-dash brief`: files and standard output read back; bad arguments exit 2."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from pypdf import PdfReader

from joblog_dash import cli
from joblog_dash.data import reference, warehouse
from joblog_dash.exporting import files as exports
from joblog_dash.exporting import tables as export_tables
from joblog_dash.text.strings import t
from joblog_dash.views import selection, spread


def run(argv: list[str], capsysbinary: pytest.CaptureFixture[bytes]) -> tuple[int, bytes, str]:
    code = cli.main(argv)
    out, err = capsysbinary.readouterr()
    return code, out, err.decode("utf-8")


def read_danish_csv(out: bytes) -> pl.DataFrame:
    """A Danish-Excel CSV as written (`;`, decimal comma, the preamble lines skipped), every cell as text."""
    return pl.read_csv(
        io.BytesIO(out),
        separator=";",
        decimal_comma=True,
        skip_rows=exports.PREAMBLE_LINES,
        infer_schema=False,
    )


def test_export_funnel_defaults_to_machine_csv(demo_data_dir: Path, capsysbinary):
    code, out, _ = run(["export", "funnel", "--month", "2018-09", "--group", "kontanthjaelp"], capsysbinary)
    assert code == 0
    frame = pl.read_csv(io.BytesIO(out))
    assert tuple(frame.columns) == export_tables.FUNNEL_CSV_COLUMNS
    db = warehouse.open_db(demo_data_dir)
    direct = export_tables.funnel_frame(db, selection.from_arguments(db, "2018-09", "kontanthjaelp"))
    assert frame["share"].to_list() == pytest.approx(direct["share"].round(6).to_list(), nan_ok=True)


def test_export_funnel_options(demo_data_dir: Path, capsysbinary):
    base = [
        "export",
        "funnel",
        "--month",
        "2018-09",
        "--group",
        "kontanthjaelp",
        "--area",
        "region-sjaelland",
    ]
    _, plain, _ = run([*base, "--measure", "none", "--no-overdispersion"], capsysbinary)
    _, wide, _ = run([*base, "--measure", "none"], capsysbinary)
    plain_frame, wide_frame = pl.read_csv(io.BytesIO(plain)), pl.read_csv(io.BytesIO(wide))
    assert plain_frame.height == 17  # Region Sjælland's municipalities
    assert (plain_frame["share"] < 0.6).mean() > 0.5  # share without registration, not the joblogged share
    # Over-dispersion can only widen the limits.
    assert (wide_frame["upper_998"] >= plain_frame["upper_998"] - 1e-9).all()
    _, danish, _ = run([*base, "--format", "csv"], capsysbinary)
    assert danish.startswith(b"\xef\xbb\xbf") and b";" in danish


@pytest.mark.parametrize("kind", ["trend", "municipalities", "funnel", "profile"])
def test_every_kind_as_csv_and_xlsx(kind: str, demo_data_dir: Path, tmp_path: Path, capsysbinary):
    args = ["export", kind, "--month", "2018-09", "--group", "kontanthjaelp", "--kommune", "360"]
    code, out, _ = run([*args, "--format", "csv"], capsysbinary)
    assert code == 0 and out.startswith(b"\xef\xbb\xbf")
    back = read_danish_csv(out)
    assert back.height >= 3
    target = tmp_path / f"{kind}.xlsx"
    code, out, err = run([*args, "--format", "xlsx", "--out", str(target)], capsysbinary)
    assert code == 0 and out == b"" and "Skrevet" in err
    sheet = openpyxl.load_workbook(target).active
    assert sheet["A4"].value.startswith("Demodata")
    header = [c.value for c in sheet[exports.PREAMBLE_LINES + 1]]
    assert header == back.columns
    assert sheet.max_row == exports.PREAMBLE_LINES + 1 + back.height


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "trend", "--month", "2030-01"], "Ukendt måned »2030-01«"),
        (["export", "trend", "--month", "sept"], "Ukendt måned"),
        (["export", "trend", "--group", "pension"], "Ukendt ydelsesgruppe »pension«"),
        (
            ["export", "municipalities", "--month", "2026-03", "--group", "uddannelseshjaelp"],
            "findes kun til og med jun. 2025 (kontanthjælpsreformen 1. juli 2025). Brug »uddannelsesparate«",
        ),
        (["export", "municipalities", "--area", "mars"], "Ukendt område »mars«"),
        (["export", "profile", "--kommune", "Aarhs"], "Mente du Aarhus?"),
        (["export", "profile"], "kræver en kommune"),
        (["export", "trend", "--format", "machine"], "kun for funnel"),
        (["brief", "--kommune", "9999", "--out", "x.pdf"], "Ukendt kommune »9999«"),
        (["brief", "--kommune", "360", "--out", "x.docx"], ".pdf eller .html"),
    ],
)
def test_bad_arguments_exit_2_without_traceback(argv, message, demo_data_dir: Path, capsysbinary):
    code, out, err = run(argv, capsysbinary)
    assert code == 2 and out == b""
    assert message in err and "Traceback" not in err and err.startswith("Fejl:")


def test_export_without_dataset_is_a_clear_error(tmp_path: Path, capsysbinary):
    code, _, err = run(["--data-dir", str(tmp_path), "export", "trend"], capsysbinary)
    assert code == 2 and "Intet datasæt" in err


def test_brief_html_and_pdf(demo_data_dir: Path, tmp_path: Path, capsysbinary):
    html_path = tmp_path / "brief.html"
    code, _, _ = run(
        ["brief", "--kommune", "360", "--month", "2018-09", "--out", str(html_path)], capsysbinary
    )
    assert code == 0 and "Kommunebesøg: Lolland" in html_path.read_text(encoding="utf-8")
    pdf_path = tmp_path / "brief.pdf"
    code, _, _ = run(
        ["brief", "--kommune", "Lolland", "--month", "2018-09", "--out", str(pdf_path)], capsysbinary
    )
    assert code == 0
    reader = PdfReader(pdf_path)
    assert len(reader.pages) == 2 and "Lolland" in reader.pages[0].extract_text()


def test_export_municipalities_adjusted_is_the_pages_ranking(demo_data_dir: Path, capsysbinary):
    """`--basis adjusted` writes Kommuner's "justeret" table: the expected and the adjusted share beside the
    actual one, for exactly the municipalities the page ranks (views.spread, one computation)."""
    args = ["export", "municipalities", "--month", "2018-09", "--group", "kontanthjaelp", "--format", "csv"]
    code, out, _ = run([*args, "--basis", "adjusted"], capsysbinary)
    assert code == 0
    back = read_danish_csv(out)
    column = t("col_share_adjusted") + " (pct.)"
    assert t("std_expected_share") + " (pct.)" in back.columns and column in back.columns
    db = warehouse.open_db(demo_data_dir)
    view = spread.build(db, selection.from_arguments(db, "2018-09", "kontanthjaelp", basis="adjusted"))
    shown = {row["name"] for row in view.visible.iter_rows(named=True)}  # a share or a bound: ranked
    assert {n for n, v in zip(back["Kommune"], back[t("col_rank")], strict=True) if v} == shown
    exact = set(view.visible.filter(pl.col(spread.ADJUSTED).is_not_null())["name"])
    assert {n for n, v in zip(back["Kommune"], back[column], strict=True) if v} == exact
    code, out, _ = run(args, capsysbinary)
    assert code == 0 and column.encode() not in out
    code, _, err = run([*args, "--basis", "justeret"], capsysbinary)
    assert code == 2 and "Ukendt grundlag »justeret«" in err and "Traceback" not in err


def test_a_group_that_ended_defaults_to_its_last_month(demo_data_dir: Path, capsysbinary):
    # Uddannelseshjælp ends with the kontanthjælp reform (June 2025); without --month its latest month.
    code, out, err = run(["export", "municipalities", "--group", "uddannelseshjaelp"], capsysbinary)
    assert code == 0, err
    assert "Måned: jun. 2025" in out.decode("utf-8-sig").splitlines()[1]


def test_trend_export_spanning_the_reform_carries_the_whole_series_and_a_note(
    demo_data_dir: Path, demo_facts_path: Path, capsysbinary
):
    code, out, err = run(["export", "trend", "--group", "uddannelsesparate"], capsysbinary)
    assert code == 0, err
    text = out.decode("utf-8-sig")
    assert "Bemærkning: Brud i serien fra juli 2025" in text.splitlines()[1]
    frame = read_danish_csv(out)
    by_month = dict(zip(frame["Måned"], frame["Ydelsesgruppe"], strict=True))
    assert by_month["2025-06-01"] == reference.group_label("uddannelseshjaelp")
    assert by_month["2025-07-01"] == reference.group_label("uddannelsesparate")
    ((june,),) = duckdb.sql(
        f"SELECT sum(persons) FROM read_parquet('{demo_facts_path}') "
        "WHERE benefit_group = 'uddannelseshjaelp' AND month = DATE '2025-06-01'"
    ).fetchall()
    persons = dict(zip(frame["Måned"], frame[t("persons")], strict=True))
    assert int(persons["2025-06-01"]) == june
