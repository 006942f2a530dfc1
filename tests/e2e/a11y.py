"""axe-core in the browser tests: run the WCAG 2.1 A/AA rules on the page a test has open.

axe-core's script is the one shipped inside the pinned `axe-playwright-python` package (no CDN). It is evaluated
through the DevTools protocol, which the page's Content-Security-Policy does not restrict, so the product's CSP
stays as strict in the tests as in production.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from axe_playwright_python.base import AXE_SCRIPT

# WCAG 2.0 and 2.1, levels A and AA (GB/T 37668-2019 follows WCAG 2.0 AA).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Rules switched off, each with its reason. Keep this list short: a rule goes here only when axe cannot judge it
# on our pages, never because a page fails it.
DISABLED_RULES: dict[str, str] = {}


@dataclass
class Finding:
    url: str
    rule: str
    impact: str
    help: str
    targets: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        where = "; ".join(self.targets[:4]) + (" …" if len(self.targets) > 4 else "")
        return f"{self.url} [{self.rule}, {self.impact}] {self.help}: {where}"


def axe_check(page, *, exclude: list[str] | None = None) -> list[Finding]:
    """Run axe-core on the page as it is now and return one Finding per violated rule (with its nodes)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    context = {"exclude": [[s] for s in exclude]} if exclude else {"exclude": []}
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"],
               "rules": {rule: {"enabled": False} for rule in DISABLED_RULES}}
    result = page.evaluate("([c, o]) => axe.run(c.exclude.length ? c : document, o)", [context, options])
    return [Finding(url=page.url, rule=v["id"], impact=v.get("impact") or "", help=v["help"],
                    targets=[" ".join(map(str, n["target"])) for n in v["nodes"]])
            for v in result["violations"]]


def count_by_rule(findings: list[Finding]) -> Counter:
    """Violations counted the way the issue counts them: one per failing element per page."""
    counts: Counter = Counter()
    for f in findings:
        counts[f.rule] += len(f.targets)
    return counts
