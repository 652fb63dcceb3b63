"""The load tool's protocol client against a real server: one page load and one widget change.

`make load` is not part of `make test`, so this keeps its websocket client (bench/stclient.py) from
rotting silently when Streamlit's protocol or the app's sidebar changes. Bounded by the client's timeout.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from helpers import outside_event_loop

from bench import common
from bench.stclient import StreamlitClient
from joblog_dash.text.strings import t

pytestmark = pytest.mark.server


async def _walk(url: str) -> tuple[StreamlitClient, list]:
    async with StreamlitClient(url, timeout=60) as client:
        opened = await client.open("kommuner", "maaned=2018-09&gruppe=kontanthjaelp&omraade=region-sjaelland")
        box = client.selectboxes[t("filter_month")]
        target = next(option for option in box.options if option != box.options[0] and "2019" in option)
        changed = await client.choose(t("filter_month"), target)
        return client, [opened, changed, target]


def test_one_page_load_and_one_month_change_over_the_websocket(demo_data_dir: Path, tmp_path: Path):
    server = common.start_server(demo_data_dir, log=tmp_path / "server.log")
    try:
        client, (opened, changed, target) = outside_event_loop(lambda: asyncio.run(_walk(server.url)))
    finally:
        server.stop()
    assert opened.status == "FINISHED_SUCCESSFULLY" and not opened.exceptions, opened
    assert opened.elements > 10 and opened.seconds > 0
    assert client.page == "kommuner" and {"", "kommuner"} <= set(client.pages)
    assert changed.status == "FINISHED_SUCCESSFULLY" and not changed.exceptions, changed
    # The widget change reached the app: its on_change callback wrote the new month into the URL.
    assert "maaned=2019-" in client.query_string and "omraade=region-sjaelland" in client.query_string
    assert target.split()[-1] == "2019"
