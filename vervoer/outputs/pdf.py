"""HTML pages to PDF with WeasyPrint (the only module that imports it).

WeasyPrint is imported when the first PDF is made, so that HTML-only runs do not load it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vervoer.core.files import atomic_open

if TYPE_CHECKING:
    from weasyprint.document import Document


def render_pdf(text: str, *, base_url: Path) -> Document:
    """Lay out an HTML page for print (nothing is written).

    Parameters
    ----------
    text
        The HTML page (CSS ``@page`` rules give the paper size and margins).
    base_url
        The folder relative links and resources of the page are resolved against.

    Returns
    -------
    weasyprint.document.Document
        The laid-out pages; write them with :func:`save_pdf`.
    """
    import weasyprint

    return weasyprint.HTML(string=text, base_url=str(base_url)).render()


def save_pdf(document: Document, path: Path) -> Path:
    """Write a laid-out document as PDF, atomically.

    Parameters
    ----------
    document
        From :func:`render_pdf`.
    path
        The PDF file to write.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_open(Path(path), "wb") as fh:
        document.write_pdf(fh)
    return Path(path)


def content_bottom_mm(document: Document, page: int = 0) -> float:
    """How far down a page its content reaches, in mm from the top edge of the paper.

    Parameters
    ----------
    document
        From :func:`render_pdf`.
    page
        The page (0: the first).

    Returns
    -------
    float
        The bottom of the lowest block in the page's ``<body>`` (0 for an empty page).
    """
    box = document.pages[page]._page_box
    stack = [box]
    body = None
    while stack:
        b = stack.pop()
        if getattr(b, "element_tag", None) == "body":
            body = b
            break
        stack.extend(getattr(b, "children", ()))
    if body is None:
        return 0.0
    bottoms = [c.position_y + c.margin_height() for c in getattr(body, "children", ())]
    return max(bottoms, default=0.0) * 25.4 / 96


def write_pdf(text: str, path: Path, *, base_url: Path) -> Document:
    """Lay out an HTML page and write it as PDF, atomically.

    Parameters
    ----------
    text
        The HTML page (CSS ``@page`` rules give the paper size and margins).
    path
        The PDF file to write.
    base_url
        The folder relative links and resources of the page are resolved against.

    Returns
    -------
    weasyprint.document.Document
        The laid-out document, to combine with others in :func:`write_combined_pdf`.
    """
    document = render_pdf(text, base_url=base_url)
    save_pdf(document, path)
    return document


def write_combined_pdf(documents: Sequence[Document], path: Path) -> Path:
    """Write the pages of several laid-out documents, in order, as one PDF.

    Parameters
    ----------
    documents
        Documents from :func:`write_pdf`; at least one.
    path
        The PDF file to write, atomically.

    Returns
    -------
    Path
        ``path``.
    """
    pages = [page for doc in documents for page in doc.pages]
    with atomic_open(Path(path), "wb") as fh:
        documents[0].copy(pages).write_pdf(fh)
    return Path(path)


__all__ = ["content_bottom_mm", "render_pdf", "save_pdf", "write_combined_pdf", "write_pdf"]
