"""Checks that a fragment of HTML built from user text can only show text and safe links."""

from html.parser import HTMLParser

from core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name == "rel" and tag == "a":
                continue
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href" and value and value.split(":", 1)[0].lower() not in ALLOWED_URL_SCHEMES:
                self.problems.append(f"link to {value!r}")


def assert_inert_html(fragment: str) -> None:
    collector = _Collector()
    collector.feed(fragment)
    assert not collector.problems, f"{collector.problems} in {fragment!r}"
