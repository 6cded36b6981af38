"""What every browser test does: open a page, wait until Streamlit has finished, check accessibility."""
from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

BLOCKING_IMPACTS = {"serious", "critical"}


def open_page(page, url: str, heading: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=heading).wait_for()
    wait_until_idle(page)


def choose_kpi(page, typed: str, option: str) -> None:
    """Pick a KPI on the trend page by typing into its box, as a keyboard user does."""
    page.get_by_role("combobox", name="KPI").click()
    page.keyboard.type(typed)
    page.get_by_role("option", name=option).click()
    wait_until_idle(page)


def wait_until_idle(page) -> None:
    """Streamlit shows a running indicator while a script runs; wait for it to go."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden", timeout=30_000)
    page.wait_for_load_state("networkidle")


def wait_until_done(page) -> None:
    """The presentation hides Streamlit's header, and with it the running indicator `wait_until_idle` watches;
    the indicator still leaves the page when the run ends (until then a key press may reach no button yet)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="detached")
    page.wait_for_load_state("networkidle")


def serious_violations(page) -> list[str]:
    """axe-core violations of serious or critical impact, as readable lines, once the page has finished its run:
    while a script runs, Streamlit fades the page's older elements, which no text would pass at."""
    wait_until_idle(page)
    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING_IMPACTS:
            targets = [", ".join(node["target"]) for node in violation["nodes"]][:5]
            found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found
