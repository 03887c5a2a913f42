"""The strategy map: a pyvis (vis-network) tree of goals drawn in a self-contained, offline HTML page.

pyvis' own template links Bootstrap and vis-network from CDNs; Ladder renders its graph with its own template
(components/templates/strategy_map.html) and inlines the vis-network script that ships inside the pyvis package,
so the map works without any network and its HTML names no remote address. A "PNG" button in the page saves the
canvas as drawn (the viewer's zoom and pan, on white, with the legend) as `ladder-strategy-map.png`.
"""

from __future__ import annotations

import json
import math
import textwrap
from functools import cache
from pathlib import Path

import jinja2
import polars as pl
import pyvis
import streamlit as st
from pyvis.network import Network

from components.charts import ACCENT, INK, MUTED, STATUS_COLORS
from components.export import file_stem
from components.format import pct

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "strategy_map.html"
VIS_SCRIPT = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / "vis-network.min.js"
GAP = "#7b2cbf"  # alignment gaps: orphan goals and objectives with no or thin support
SUPPORTS = "#e07a2e"
HEIGHT = 680
FRAME_WIDTH = 1100  # the frame's usual width on a laptop or projector, to size labels
_LABEL = 28
_ROOT_LINE = 18

RING = 190  # distance between the rings of a depth
SPACING = 34  # room per node on the outer ring
LABELLED = 48  # a ring with more nodes than this labels only its "+N more" nodes (the tooltip has every title)

_OPTIONS = {
    "layout": {"hierarchical": {"enabled": False}},
    "physics": {"enabled": False},
    "interaction": {"hover": True, "tooltipDelay": 100, "keyboard": False, "navigationButtons": False},
    "nodes": {"font": {"size": 15, "color": INK, "face": "Source Sans Pro, Helvetica, Arial, sans-serif"}},
    "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}, "smooth": False, "color": {"inherit": False}},
}

_EDGE_STYLES = {
    "parent": {"color": "#9aa5b1", "width": 1.5},
    "contributes": {"color": ACCENT, "width": 2},
    "supports": {"color": SUPPORTS, "width": 2, "dashes": [6, 4]},
    "more": {"color": "#cbd2d9", "width": 1, "dashes": [2, 4]},
    "orphans": {"color": GAP, "width": 1, "dashes": [2, 4]},
}
_LINK_WORDS = {
    "parent": "ladders up to (parent goal)",
    "contributes": "contributes to",
    "supports": "supports (does not count in the roll-up)",
}


@cache
def _vis_script() -> str:
    return VIS_SCRIPT.read_text(encoding="utf-8")


def _short(text: str | None, width: int = _LABEL) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _wrapped(text: str | None) -> str:
    """A root's label on at most two short lines."""
    lines = textwrap.wrap(text or "", _ROOT_LINE)
    return "\n".join([*lines[:1], _short(" ".join(lines[1:]), _ROOT_LINE)] if len(lines) > 1 else lines)


def _size(below: int) -> float:
    return min(10 + 5 * math.log2(1 + max(below, 0)), 48)


def _tooltip(node: dict) -> str:
    if node["kind"] == "more":
        return (f"{node['hidden']:,} more goals hang here.\n"
                "Choose their parent as the root (above the map) to see them.")
    if node["kind"] == "orphans":
        return (f"{node['children']:,} goals at the top of chains that reach no company objective "
                f"({node['below']:,} goals in all).")
    lines = [node["title"] or "", f"{(node['level'] or '').capitalize()} goal · {node['team'] or 'no team'}",
             f"Owner: {node['owner'] or 'none'}"]
    if node["progress"] is None:
        lines.append("Progress: nothing to measure in this scope")
    else:
        lines.append(f"Progress {pct(node['progress'])} against {pct(node['expected'])} expected by now "
                     f"({node['status']})")
    if node["level"] == "company":
        lines.append(f"{node['contributing']:,} goals in scope ladder up to it")
    elif node["below"]:
        lines.append(f"{node['below']:,} goals in scope below it")
    if node["support"] == "none":
        lines.append("Alignment gap: no goal in scope ladders up to this objective")
    elif node["support"] == "thin":
        lines.append("Alignment gap: thin support")
    if node["orphan"]:
        lines.append("Alignment gap: reaches no company objective")
    if not node["in_scope"]:
        lines.append("Outside the filtered scope; shown because scope goals ladder up to it")
    if node["in_cycle"]:
        lines.append("Caught in a cycle of parent links: its progress cannot be rolled up")
    if node["hidden"]:
        lines.append(f"{node['hidden']:,} more below: choose it as the root to see them")
    return "\n".join(lines)


def _node_style(node: dict) -> dict:
    if node["kind"] == "more":
        return {"shape": "box", "label": node["title"], "color": {"background": "#f5f7fa", "border": "#cbd2d9"},
                "font": {"color": MUTED, "size": 11}, "borderWidth": 1}
    if node["kind"] == "orphans":
        return {"shape": "box", "label": f"Not laddering up ({node['below']:,})",
                "color": {"background": "#ffffff", "border": GAP}, "font": {"color": GAP, "size": 14},
                "borderWidth": 2, "shapeProperties": {"borderDashes": [6, 4]}}
    fill = STATUS_COLORS.get(node["status"] or "no data", STATUS_COLORS["no data"])
    label = _wrapped(node["title"]) if node["depth"] == 0 else _short(node["title"])
    if node["hidden"]:
        label += f"\n+{node['hidden']:,} below"
    style = {
        "shape": "dot", "label": label,
        "size": _size(node["contributing"] if node["level"] == "company" else node["below"]),
        "color": {"background": fill, "border": fill, "highlight": {"background": fill, "border": INK},
                  "hover": {"background": fill, "border": INK}},
        "borderWidth": 1,
        "font": {"size": 15 if node["depth"] == 0 else 12, "strokeWidth": 3, "strokeColor": "#ffffff"},
    }
    if node["orphan"] or node["support"] is not None:
        style["color"]["border"] = GAP
        style["borderWidth"] = 4
        style["shapeProperties"] = {"borderDashes": [5, 3]}
    if not node["in_scope"] and node["level"] != "company":
        style["opacity"] = 0.5
    return style


def radial_layout(nodes: pl.DataFrame) -> tuple[dict[str, tuple[float, float]], dict[str, float]]:
    """Positions on rings around the root: depth d on ring d (several roots share the first ring), each node given
    an arc proportional to the nodes at the tips of its subtree, so subtrees never overlap; and each node's room,
    the largest dot radius that keeps it off its neighbours on the ring."""
    ids = nodes["node_id"].to_list()
    parents = dict(zip(ids, nodes["parent_node_id"].to_list(), strict=True))
    depths = dict(zip(ids, nodes["depth"].to_list(), strict=True))
    kids: dict[str | None, list[str]] = {}
    for node in ids:
        parent = parents[node] if parents[node] in parents else None
        kids.setdefault(parent, []).append(node)
    tips: dict[str, int] = {}
    for node in sorted(ids, key=lambda n: -depths[n]):
        tips[node] = max(1, sum(tips[k] for k in kids.get(node, [])))
    roots = kids.get(None, [])
    total = sum(tips[r] for r in roots) or 1
    deepest = max(depths.values(), default=0)
    single = len(roots) == 1
    outer = max(RING * (deepest + (0 if single else 1)), total * SPACING / (2 * math.pi))
    # One root sits in the middle; several share a ring half-way out, leaving their labels room.
    inner = 0.0 if single else (outer / 2 if deepest else outer)
    step = (outer - inner) / max(deepest, 1)
    positions: dict[str, tuple[float, float]] = {}
    room: dict[str, float] = {}

    def place(node: str, start: float, span: float) -> None:
        radius = inner + step * depths[node]
        angle = start + span / 2
        positions[node] = (radius * math.cos(angle), radius * math.sin(angle))
        room[node] = 0.45 * radius * span if radius else float("inf")
        cursor = start
        for child in kids.get(node, []):
            share = span * tips[child] / tips[node]
            place(child, cursor, share)
            cursor += share

    # Every root gets a fair slice of the circle, so small objectives do not pile up on the big ones.
    weights = [max(tips[root] / total, 0.5 / len(roots)) for root in roots]
    cursor = -math.pi / 2
    for root, weight in zip(roots, weights, strict=True):
        share = 2 * math.pi * weight / sum(weights)
        place(root, cursor, share)
        cursor += share
    return positions, room


def map_html(nodes: pl.DataFrame, links: pl.DataFrame, *, height: int = HEIGHT, heading: str = "Strategy map") -> str:
    """A self-contained HTML page drawing the map's nodes (strategy_map) and links (map_links) with vis-network."""
    net = Network(height=f"{height}px", width="100%", directed=True, heading=heading)
    positions, room = radial_layout(nodes)
    crowded = {d for d, n in nodes.group_by("depth").len().iter_rows() if n > LABELLED}
    # Labels and dots are sized for the zoom at which the whole map fits the frame, so they stay legible.
    xs = [x for x, _ in positions.values()] or [0.0]
    ys = [y for _, y in positions.values()] or [0.0]
    zoom = min(1.0, FRAME_WIDTH / (max(xs) - min(xs) + 240), height / (max(ys) - min(ys) + 240))
    grow = min(1 / zoom, 5.0)
    for node in nodes.to_dicts():
        style = _node_style(node)
        if node["depth"] in crowded and node["kind"] == "goal":
            style["label"] = " "
        style.setdefault("font", {})
        style["font"]["size"] = round(style["font"].get("size", 14) * grow)
        if "size" in style:
            style["size"] = round(max(min(style["size"] * grow**0.45, room[node["node_id"]]), 4.0), 1)
        x, y = positions[node["node_id"]]
        net.add_node(node["node_id"], title=_tooltip(node), x=round(x, 1), y=round(y, 1), **style)
    for link in links.to_dicts():
        style = _EDGE_STYLES.get(link["link_type"], _EDGE_STYLES["parent"])
        title = _LINK_WORDS.get(link["link_type"])
        net.add_edge(link["source"], link["target"], **style, **({"title": title} if title else {}))
    return _template().render(
        heading=heading, height=net.height, width=net.width, nodes=net.nodes, edges=net.edges,
        options=json.dumps(_OPTIONS), vis_js=_vis_script(), legend_status=list(STATUS_COLORS.items()), gap_colour=GAP,
        png_name=f"{file_stem(heading)}.png",
    )  # fmt: skip


@cache
def _template() -> jinja2.Template:
    """Ladder's page template, compiled once (every draw of the map renders it)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False).get_template(TEMPLATE)


def show_map(nodes: pl.DataFrame, links: pl.DataFrame, *, height: int = HEIGHT) -> None:
    """Draw the map in an iframe (scripts run there; the page is self-contained, so it works offline)."""
    st.iframe(
        map_html(nodes, links, height=height), height=height + 8,
        alt="Strategy map: company objectives at the top, the goals that ladder up to them below. "
        "The same goals are listed in the Tree table tab.",
    )
