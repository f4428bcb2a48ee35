"""Every page passes axe-core's WCAG 2.2 AA rules (and its best practices), light and dark."""

from __future__ import annotations

import re

import pytest

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return {
    rules: result.passes.length + result.violations.length + result.incomplete.length,
    violations: result.violations.map(rule => ({
      id: rule.id, impact: rule.impact, help: rule.help,
      nodes: rule.nodes.map(node => ({target: node.target.join(" "), html: node.html,
                                      summary: node.failureSummary})),
    })),
  };
}"""

# A page with a known violation (an image with no text alternative): proof that axe runs
# and reports, so "no violations" means something.
CANARY = '<!DOCTYPE html><html lang="en"><title>Canary</title><main><h1>Canary</h1><img src="data:,"></main>'


def axe_violations(page, axe_source: str) -> tuple[int, list[dict]]:
    """Inject axe into the open page and run it; (rules checked, violations)."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate(RUN_AXE, TAGS)
    return result["rules"], result["violations"]


def describe(page_name: str, violation: dict) -> str:
    """One violation: page, rule, impact, and each element it is about."""
    lines = [f"{page_name}: {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"]:
        lines.append(f"    at {node['target']}: {node['html'][:200]}")
        lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


def staying(route) -> None:  # type: ignore[no-untyped-def]
    """Serve a page without its `<meta http-equiv="refresh">`, so that axe checks it rather than where it leads."""
    response = route.fetch()
    body = re.sub(r'<meta http-equiv="refresh"[^>]*>', "", response.text())
    route.fulfill(response=response, body=body)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_axe_violations(site, scheme, new_page, axe_source):
    # Over http, with the page's Content-Security-Policy bypassed for this test only: axe is
    # an injected script, and it fetches the stylesheets to check them.
    page = new_page(bypass_csp=True, color_scheme=scheme, viewport={"width": 1280, "height": 900})

    page.set_content(CANARY)
    _, canary = axe_violations(page, axe_source)
    assert "image-alt" in [v["id"] for v in canary], "axe did not flag an image without alt: it is not working"

    found = []
    page.route("**/documents/*.html", staying)  # the pages of earlier names are checked as they are, not left
    for name in [*site.pages, *site.moved]:
        page.goto(site.http_url(name))
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
        rules, violations = axe_violations(page, axe_source)
        assert rules > 20, f"{name}: axe checked only {rules} rules"
        found.extend(describe(name, v) for v in violations)
    assert not found, f"axe, {scheme} scheme, {site.name} site: {len(found)} violations\n" + "\n".join(found)
