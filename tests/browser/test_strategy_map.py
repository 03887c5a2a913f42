"""Strategy map in real Chromium: the map's canvas is drawn inside its frame, offline, downloads as a PNG from its
frame, and the root and the sidebar filters change what it shows and live in the URL."""

import io
from pathlib import Path

from tests.browser.helpers import assert_no_exception, open_app, wait_for_app

FRAME = "iframe[title^='Strategy map']"


def open_map(page, base_url: str, query: str = ""):
    open_app(page, base_url, "strategy_map", query)
    return page


def drawn_frame(page):
    """The map's frame once vis-network has drawn on its canvas."""
    page.locator(FRAME).wait_for(timeout=30000)
    frame = page.frame_locator(FRAME)
    frame.locator("body[data-drawn='true']").wait_for(timeout=30000)
    return frame


def map_caption(page) -> str:
    return page.locator("[data-testid='stCaptionContainer']").filter(has_text="goals on the map").first.inner_text()


def test_the_map_is_drawn_in_its_frame(app_server, page):
    from_frames = []  # what the map's frame (any frame but the app's own page) asks the network for
    page.on("request", lambda r: from_frames.append(r.url) if r.frame != page.main_frame else None)
    open_map(page, app_server)
    assert_no_exception(page)
    assert page.locator("h1").first.inner_text() == "Strategy map"
    frame = drawn_frame(page)
    canvas = frame.locator("canvas").first
    assert canvas.bounding_box()["width"] > 300 and canvas.bounding_box()["height"] > 300
    assert not [url for url in from_frames if not url.startswith(("data:", "blob:", "about:"))]
    page.get_by_role("tab", name="Tree table").click()
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=30000)
    assert_no_exception(page)


def test_choosing_a_root_redraws_the_map_and_sets_the_url(app_server, page):
    open_map(page, app_server)
    drawn_frame(page)
    before = map_caption(page)
    page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option").nth(1).click()
    wait_for_app(page)
    assert_no_exception(page)
    assert "root=" in page.url and "period=" in page.url
    drawn_frame(page)
    assert map_caption(page) != before


def test_a_region_filter_changes_the_map_and_the_url(app_server, page):
    open_map(page, app_server, "depth=3")
    before = map_caption(page)
    page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="India").click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    assert_no_exception(page)
    assert "region=" in page.url and "depth=3" in page.url
    drawn_frame(page)
    assert map_caption(page) != before


def test_the_map_downloads_as_a_png_of_its_canvas_on_white(app_server, page):
    from_frames = []
    page.on("request", lambda r: from_frames.append(r.url) if r.frame != page.main_frame else None)
    open_map(page, app_server)
    frame = drawn_frame(page)
    width, height = frame.locator("#map canvas").evaluate("canvas => [canvas.width, canvas.height]")
    with page.expect_download(timeout=30000) as caught:
        frame.get_by_role("button", name="PNG", exact=True).click()
    png = caught.value
    assert png.suggested_filename == "ladder-strategy-map.png"
    content = Path(png.path()).read_bytes()
    assert content[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(content) > 5000, len(content)
    from PIL import Image

    image = Image.open(io.BytesIO(content))
    assert image.size == (width, height)
    rgba = image.convert("RGBA")
    assert rgba.getchannel("A").getextrema() == (255, 255), "opaque: drawn on white, not transparent"
    assert rgba.getpixel((width - 2, height - 2)) == (255, 255, 255, 255)
    assert len(rgba.getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50, "the network is drawn, not a blank"
    assert not [url for url in from_frames if not url.startswith(("data:", "blob:", "about:"))]
