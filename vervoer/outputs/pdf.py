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
    import weasyprint

    document = weasyprint.HTML(string=text, base_url=str(base_url)).render()
    with atomic_open(Path(path), "wb") as fh:
        document.write_pdf(fh)
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


__all__ = ["write_combined_pdf", "write_pdf"]
