"""A small HTML tree for page tests, built with the standard library's parser.

Enough to ask what a reader or a screen reader meets: elements by tag and attributes, their
text, their labels. Unclosed elements are closed by the parent's end tag, as browsers do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source")
    + ("track", "wbr")
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)

    def __getitem__(self, name: str) -> str:
        value = self.attrs[name]
        return "" if value is None else value

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default) if name in self.attrs else default

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        """The text inside, white space folded as a browser shows it."""
        return " ".join(self._raw_text().split())

    def _raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c._raw_text() for c in self.children)

    def iter(self) -> Any:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, class_: str | None = None, **attrs: Any) -> list:
        """Descendants with ``tag`` (any if None), the class, and attributes equal to the
        values given (``True``: present at all). ``for_`` and ``aria_label`` spell ``for`` and
        ``aria-label``."""
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (class_ is None or class_ in e.classes)
            and all(
                (name in e.attrs) if value is True else e.attrs.get(name) == value
                for name, value in wanted.items()
            )
        ]

    def find(self, tag: str | None = None, class_: str | None = None, **attrs: Any) -> Element:
        """The one descendant that matches; fails when there is none or more than one."""
        found = self.find_all(tag, class_, **attrs)
        assert len(found) == 1, f"expected one <{tag}> {class_ or ''} {attrs}, found {len(found)}"
        return found[0]

    def ancestor(self, tag: str) -> Element | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.current = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.current)
        self.current.children.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Element(tag, dict(attrs), parent=self.current))

    def handle_endtag(self, tag: str) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def get_page(client: Any, url: str, status: int = 200, **headers: str) -> tuple[Any, Element]:
    """GET ``url`` as a browser would (asking for HTML); check the status; parse the page."""
    response = client.get(url, headers={"Accept": "text/html", **headers})
    assert response.status_code == status, (url, response.status_code, response.data[:300])
    assert response.mimetype == "text/html"
    return response, parse(response.get_data(as_text=True))


def result_names(page: Element) -> list[str]:
    """The names of the offers listed on a page of results, in order."""
    return [li.find("h3").text() for li in page.find_all("li", class_="result")]
