"""The review pack's two files: a PowerPoint deck (native, editable tables; charts as PNG) and a PDF, one section a
slide or page. Text from the data is written as text: neither format renders Markdown or HTML."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PDF_MIME = "application/pdf"
MAX_TABLE_ROWS = 12  # rows a slide can hold at a readable size; the section says when more were left out
_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class Table:
    """A table as the slide shows it: headings and rows of text, already formatted."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Section:
    """One slide: a title, lines of text, at most one chart (PNG) and at most one table."""

    title: str
    lines: tuple[str, ...] = ()
    image: bytes | None = None
    table: Table | None = None


def pptx_bytes(sections: list[Section]) -> bytes:
    """A 16:9 deck: the first section as the title slide, then one slide per section."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    first, *rest = sections
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text = first.title
    slide.placeholders[1].text = "\n".join(first.lines)
    for section in rest:
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = section.title
        slide.shapes.title.text_frame.paragraphs[0].font.size = Pt(30)
        top = Inches(1.35)
        if section.lines:
            box = slide.shapes.add_textbox(Inches(0.5), top, Inches(12.3), Inches(0.3 * len(section.lines)))
            frame = box.text_frame
            frame.word_wrap = True
            for number, line in enumerate(section.lines):
                paragraph = frame.paragraphs[0] if number == 0 else frame.add_paragraph()
                paragraph.text = line
                paragraph.font.size = Pt(14)
            top += Inches(0.32 * len(section.lines) + 0.1)
        left, width = Inches(0.5), Inches(12.3)
        if section.image is not None:
            image_width = Inches(6.4) if section.table is not None else Inches(9.0)
            height = Inches(7.2) - top
            picture = slide.shapes.add_picture(io.BytesIO(section.image), left, top, height=height)
            if picture.width > image_width:
                ratio = image_width / picture.width
                picture.width, picture.height = int(image_width), int(picture.height * ratio)
            if section.table is not None:
                left, width = left + image_width + Inches(0.2), width - image_width - Inches(0.2)
        if section.table is not None:
            _pptx_table(slide, section.table, left, top, width)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _pptx_table(slide, table: Table, left: int, top: int, width: int) -> None:
    from pptx.util import Inches, Pt

    rows = len(table.rows) + 1
    shape = slide.shapes.add_table(rows, len(table.columns), left, top, width, Inches(0.4) * rows)
    grid = shape.table
    for row_number, values in enumerate([table.columns, *table.rows]):
        for column_number, value in enumerate(values):
            cell = grid.cell(row_number, column_number)
            cell.text = value
            for paragraph in cell.text_frame.paragraphs:
                paragraph.font.size = Pt(12)


def pdf_bytes(sections: list[Section]) -> bytes:
    """An A4 landscape PDF, one page per section; a Unicode font where the system has one."""
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    family = _pdf_font(pdf)
    for number, section in enumerate(sections):
        pdf.add_page()
        pdf.set_font(family, size=26 if number == 0 else 20)
        pdf.multi_cell(0, 12, _text(section.title, family), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, size=12)
        for line in section.lines:
            pdf.multi_cell(0, 7, _text(line, family), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        if section.image is not None:
            width = 130 if section.table is not None else 220
            pdf.image(io.BytesIO(section.image), w=width)
            pdf.ln(2)
        if section.table is not None:
            pdf.set_font(family, size=10)
            with pdf.table(text_align="LEFT", first_row_as_headings=True) as grid:
                for values in [section.table.columns, *section.table.rows]:
                    row = grid.row()
                    for value in values:
                        row.cell(_text(value, family))
    return bytes(pdf.output())


def _pdf_font(pdf) -> str:
    regular, bold = _FONT_DIR / "DejaVuSans.ttf", _FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold))
        return "DejaVu"
    return "Helvetica"


def _text(value: str, family: str) -> str:
    """The core PDF fonts hold Latin-1 only: anything else becomes '?' rather than failing the pack."""
    return value if family != "Helvetica" else value.encode("latin-1", "replace").decode("latin-1")
