"""Every read the pages make, as functions of a connection and plain arguments.

Each returns a DataFrame so that the pages and the tests see the same thing;
the Streamlit layer caches them keyed by their arguments.
"""
from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import pandas as pd

from store.words import LOCAL_MARK


def councils(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("SELECT la_code, name, region, is_demo FROM councils ORDER BY is_demo DESC, name").df()


def catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The KPIs in use, statutory and local; a local KPI's `name` ends with `LOCAL_MARK` (its `plain_name` is the
    name as added), so it is marked wherever the pages, packs and exports name it. Retired KPIs are left out: their
    history is kept but no page shows them and no upload takes them."""
    return con.execute(
        "SELECT code, CASE WHEN origin = 'local' THEN name || ? ELSE name END AS name, definition, unit, polarity,"
        " kpi_group, decimals, source, frequency, numerator_kpi, denominator_kpi, subject, origin, name AS plain_name"
        " FROM kpis WHERE retired_at IS NULL ORDER BY sort_order", [LOCAL_MARK]
    ).df()


def full_catalogue(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every KPI, retired ones included, with when and by whom it was retired and how many current values it has:
    what the catalogue page and `python -m ingest kpi list` show."""
    return con.execute(
        """
        SELECT k.code, k.name, k.definition, k.unit, k.polarity, k.kpi_group, k.decimals, k.frequency,
               k.denominator_kpi, k.subject, k.origin, k.retired_at, k.retired_by,
               (SELECT count(*) FROM observations o WHERE o.kpi_code = k.code AND o.is_current) AS monthly_values
        FROM kpis k ORDER BY k.retired_at IS NOT NULL, k.sort_order
        """).df()


def kpi_versions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every change made to the catalogue from the dashboard or the command line, newest first."""
    return con.execute(
        "SELECT code, version, change, name, unit, polarity, kpi_group, decimals, frequency, denominator_kpi,"
        " changed_by, changed_at FROM kpi_versions ORDER BY changed_at DESC, code, version DESC").df()


def months_with_data(con: duckdb.DuckDBPyConnection, la_code: str) -> list[date]:
    """Months with a monthly return, and the months of the council's published reference dates (31 March,
    30 September), so a council with published figures alone still has months to show."""
    rows = con.execute(
        """
        SELECT period FROM observations WHERE la_code = ? AND is_current
        UNION
        SELECT date_trunc('month', period_end)::DATE FROM published_figures WHERE area_type = 'la' AND area_code = ?
        ORDER BY 1
        """,
        [la_code, la_code],
    ).fetchall()
    return [r[0] for r in rows]


_PUBLISHED_FALLBACK = """
    published AS (
        SELECT p.kpi_code, date_trunc('month', p.period_end)::DATE AS period, p.value, p.status_code, p.upload_id,
               p.period_end, 'published' AS kind
        FROM published_figures p
        WHERE p.area_type = 'la' AND p.area_code = ? AND p.period_end <= last_day(?::DATE)
          AND p.kpi_code NOT IN (SELECT kpi_code FROM observations WHERE la_code = ? AND is_current AND period <= ?)
    )
"""
"""The council's published annual figures of every KPI that has no monthly return up to the month: pages then
show those, dated, rather than nothing."""


def recent_values(con: duckdb.DuckDBPyConnection, la_code: str, until: date, months: int = 13) -> pd.DataFrame:
    """The last `months` months of every KPI up to `until` (what the scorecard and its sparklines need); a KPI
    with no monthly return brings its published annual figures instead, marked `kind` 'published'."""
    return con.execute(
        "WITH" + _PUBLISHED_FALLBACK + """
        SELECT kpi_code, period, value, status_code, upload_id, last_day(period) AS period_end, 'monthly' AS kind
        FROM observations
        WHERE la_code = ? AND is_current AND period <= ?
          AND period > ?::DATE - to_months(?)
        UNION ALL
        SELECT kpi_code, period, value, status_code, upload_id, period_end, kind FROM published
        ORDER BY kpi_code, period
        """,
        [la_code, until, la_code, until, la_code, until, until, months],
    ).df()


def history_values(con: duckdb.DuckDBPyConnection, la_code: str, until: date) -> pd.DataFrame:
    """Every current monthly value of every KPI up to `until`: what the SPC icons are computed from."""
    return con.execute(
        "SELECT kpi_code, period, value FROM observations WHERE la_code = ? AND is_current AND period <= ?"
        " ORDER BY kpi_code, period",
        [la_code, until],
    ).df()


def all_rebases(con: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    return con.execute(
        "SELECT kpi_code, period FROM spc_rebases WHERE la_code = ? AND retired_at IS NULL ORDER BY kpi_code, period",
        [la_code],
    ).df()


def kpi_series(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str, until: date) -> pd.DataFrame:
    """One KPI's monthly values up to `until`, each with its upload; without any monthly return, the council's
    published annual figures (`kind` 'published', dated by `period_end`) so the KPI is never shown as empty."""
    return con.execute(
        "WITH" + _PUBLISHED_FALLBACK + """
        SELECT o.period, o.value, o.numerator, o.denominator, o.status_code, o.note,
               o.upload_id, u.file_name AS upload_file, last_day(o.period) AS period_end, 'monthly' AS kind
        FROM observations o JOIN uploads u USING (upload_id)
        WHERE o.la_code = ? AND o.kpi_code = ? AND o.is_current AND o.period <= ?
        UNION ALL
        SELECT p.period, p.value, NULL, NULL, p.status_code, NULL, p.upload_id, u.file_name, p.period_end, p.kind
        FROM published p LEFT JOIN uploads u USING (upload_id) WHERE p.kpi_code = ?
        ORDER BY 1
        """,
        [la_code, until, la_code, until, la_code, kpi_code, until, kpi_code],
    ).df()


def council_published(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str, until: date) -> pd.DataFrame:
    """The council's published figures of one KPI up to the end of the month `until`, to mark beside its
    monthly line."""
    return con.execute(
        "SELECT period_end, value, status_code, release FROM published_figures WHERE area_type = 'la'"
        " AND area_code = ? AND kpi_code = ? AND period_end <= last_day(?::DATE) ORDER BY period_end",
        [la_code, kpi_code, until],
    ).df()


def year_end_figures(con: duckdb.DuckDBPyConnection, kpi_code: str | None = None) -> pd.DataFrame:
    """Every council's published figures and, where a council has none for a year, its monthly return for the
    reference month: the values rankings and neighbour averages are made of. All KPIs when `kpi_code` is None."""
    return con.execute(
        """
        SELECT kpi_code, area_code AS la_code, period_end, value, 'published' AS kind FROM published_figures
        WHERE area_type = 'la' AND (?::VARCHAR IS NULL OR kpi_code = ?)
        UNION ALL
        SELECT o.kpi_code, o.la_code, last_day(o.period), o.value, 'monthly' FROM observations o
        WHERE o.is_current AND month(o.period) IN (3, 9) AND (?::VARCHAR IS NULL OR o.kpi_code = ?)
        ORDER BY 1, 3, 2
        """,
        [kpi_code, kpi_code, kpi_code, kpi_code],
    ).df()


def region_figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """DfE's published regional figures, by region code."""
    return con.execute(
        "SELECT kpi_code, area_code AS region_code, period_end, value FROM published_figures"
        " WHERE area_type = 'region' ORDER BY kpi_code, period_end"
    ).df()


def targets(con: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    return con.execute(
        """
        SELECT target_id, kpi_code, kind, value, start_period, end_period, glide_from, glide_until, source
        FROM targets WHERE la_code = ? AND retired_at IS NULL AND team_id IS NULL
        ORDER BY kpi_code, start_period, target_id
        """,
        [la_code],
    ).df()


def live_targets(con: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    """Every target not removed, the council's and each team's own (`team`, empty for the council's), for the
    Targets page to list, change and remove."""
    return con.execute(
        """
        SELECT g.target_id, g.kpi_code, g.kind, g.value, g.start_period, g.end_period, g.glide_from, g.glide_until,
               g.source, g.team_id, t.name AS team
        FROM targets g LEFT JOIN teams t ON t.team_id = g.team_id
        WHERE g.la_code = ? AND g.retired_at IS NULL
        ORDER BY g.team_id NULLS FIRST, g.kpi_code, g.start_period, g.target_id
        """,
        [la_code],
    ).df()


def team_targets(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str) -> pd.DataFrame:
    """The targets teams have of their own for a KPI, in the council targets' columns with the team's name: a team
    without one is judged by the council's."""
    return con.execute(
        """
        SELECT g.target_id, g.kpi_code, g.kind, g.value, g.start_period, g.end_period, g.glide_from, g.glide_until,
               g.source, t.name AS team
        FROM targets g JOIN teams t ON t.team_id = g.team_id
        WHERE g.la_code = ? AND g.kpi_code = ? AND g.retired_at IS NULL
        ORDER BY t.name, g.start_period, g.target_id
        """,
        [la_code, kpi_code],
    ).df()


def target_history(con: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    """Every target ever set for the council, live or retired, with who set and who retired it."""
    return con.execute(
        """
        SELECT g.target_id, g.kpi_code, g.kind, g.value, g.start_period, g.end_period, g.glide_from, g.glide_until,
               g.source, g.created_by, g.created_at, g.replaces, g.retired_by, g.retired_at, t.name AS team
        FROM targets g LEFT JOIN teams t ON t.team_id = g.team_id
        WHERE g.la_code = ? ORDER BY g.created_at DESC, g.target_id DESC
        """,
        [la_code],
    ).df()


def rag_rules(con: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    """The rule in force per KPI: the latest one set."""
    return con.execute(
        """
        SELECT kpi_code, method, tolerance_pct, created_by, created_at FROM rag_rules WHERE la_code = ?
        QUALIFY row_number() OVER (PARTITION BY kpi_code ORDER BY rule_id DESC) = 1
        ORDER BY kpi_code
        """,
        [la_code],
    ).df()


def commentary(con: duckdb.DuckDBPyConnection, la_code: str, period: date) -> pd.DataFrame:
    """The latest commentary per KPI for one month."""
    return con.execute(
        """
        SELECT kpi_code, text, created_by, created_at, coalesce(drafted, FALSE) AS drafted
        FROM commentary WHERE la_code = ? AND period = ?
        QUALIFY row_number() OVER (PARTITION BY kpi_code ORDER BY commentary_id DESC) = 1
        ORDER BY kpi_code
        """,
        [la_code, period],
    ).df()


def rebases(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str) -> pd.DataFrame:
    """Months from which a KPI's SPC limits start again, with the reason given."""
    return con.execute(
        """
        SELECT rebase_id, period, reason, created_by, created_at FROM spc_rebases
        WHERE la_code = ? AND kpi_code = ? AND retired_at IS NULL ORDER BY period
        """,
        [la_code, kpi_code],
    ).df()


def england(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """England figures per KPI and reference date: the newest release wins, whatever the loading order."""
    return con.execute(
        "SELECT kpi_code, year, period_end, value, status_code, source, release FROM published_figures"
        " WHERE area_type = 'england' ORDER BY kpi_code, period_end"
    ).df()


def current_history(con: duckdb.DuckDBPyConnection, la_codes: list[str], kpi_codes: list[str]) -> pd.DataFrame:
    """Every current value of these councils' KPIs, with its status and the upload it came from: what an upload is
    compared with and judged against. Read as arrays rather than `.df()`, whose text columns cost more than the
    query for a monthly return; a NULL figure or status comes back as NaN or None."""
    found = con.execute(
        "SELECT la_code, kpi_code, period, value, status_code, upload_id FROM observations WHERE is_current"
        " AND la_code IN (SELECT unnest(?::VARCHAR[])) AND kpi_code IN (SELECT unnest(?::VARCHAR[]))",
        [la_codes, kpi_codes]).fetchnumpy()
    return pd.DataFrame({name: _unmasked(column) for name, column in found.items()})


def _unmasked(column: np.ndarray) -> np.ndarray:
    """A column from `fetchnumpy` with its NULLs as NaN (numbers) or None (text), rather than masked."""
    if not isinstance(column, np.ma.MaskedArray):
        return column
    plain = column.data.astype(float if column.dtype.kind in "fiu" else object)
    plain[np.ma.getmaskarray(column)] = np.nan if plain.dtype.kind == "f" else None  # filled(None) gives "?"
    return plain


def events(con: duckdb.DuckDBPyConnection, la_codes: list[str]) -> pd.DataFrame:
    """These councils' notes on the charts and recalculations of SPC limits (la_code, kpi_code or None for every
    KPI, period): where a real change is expected."""
    return con.execute(
        """
        SELECT la_code, kpi_code, period FROM annotations
        WHERE retired_at IS NULL AND la_code IN (SELECT unnest(?::VARCHAR[]))
        UNION
        SELECT la_code, kpi_code, period FROM spc_rebases
        WHERE retired_at IS NULL AND la_code IN (SELECT unnest(?::VARCHAR[]))
        """, [la_codes, la_codes]).df()


def england_latest(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[float, date]]:
    """England's latest published figure with a value per KPI, with the date it describes: what an upload's rate
    with no history of its own is judged against."""
    rows = con.execute(
        "SELECT kpi_code, arg_max(value, period_end), max(period_end) FROM published_figures"
        " WHERE area_type = 'england' AND value IS NOT NULL GROUP BY kpi_code").fetchall()
    return {code: (value, as_at) for code, value, as_at in rows}


def annotations(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str | None = None) -> pd.DataFrame:
    """Notes on one KPI plus the notes that apply to every KPI (kpi_code NULL)."""
    return con.execute(
        """
        SELECT annotation_id, kpi_code, period, text, created_by, created_at
        FROM annotations
        WHERE la_code = ? AND (kpi_code IS NULL OR kpi_code = ?) AND retired_at IS NULL
        ORDER BY period
        """,
        [la_code, kpi_code],
    ).df()


def uploads(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every upload with its provenance, newest first."""
    return con.execute(
        """
        SELECT upload_id, file_name, kind, uploaded_by, uploaded_at, rows_loaded, status, withdrawn_by,
               withdrawn_at, sha256, size_bytes, original_file_name,
               coalesce(warnings_acknowledged, 0) AS warnings_acknowledged, acknowledged_warnings
        FROM uploads ORDER BY upload_id DESC
        """
    ).df()


def current_values(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The values the dashboard shows now, for export, with the upload each came from: the whole council's with an
    empty `breakdown`, each team's, locality's or service's under its name."""
    return con.execute(
        """
        SELECT la_code, kpi_code, strftime(period, '%Y-%m') AS period, value, NULL::VARCHAR AS breakdown,
               status_code AS status, upload_id
        FROM observations WHERE is_current
        UNION ALL
        SELECT b.la_code, b.kpi_code, strftime(b.period, '%Y-%m'), b.value, t.name, b.status_code, b.upload_id
        FROM breakdown_values b JOIN teams t USING (team_id) WHERE b.is_current
        ORDER BY la_code, kpi_code, period, breakdown NULLS FIRST
        """
    ).df()


def upload_contents(con: duckdb.DuckDBPyConnection, upload_id: int) -> pd.DataFrame:
    """What one upload holds: per kind, council and KPI, its months and how many of its rows show now."""
    return con.execute(
        """
        SELECT 'monthly values' AS holds, la_code, kpi_code, count(*) AS values_loaded,
               count(*) FILTER (WHERE is_current) AS values_current,
               strftime(min(period), '%Y-%m') AS first_month, strftime(max(period), '%Y-%m') AS last_month
        FROM observations WHERE upload_id = ?
        GROUP BY ALL
        UNION ALL
        SELECT 'team values', la_code, kpi_code, count(*), count(*) FILTER (WHERE is_current),
               strftime(min(period), '%Y-%m'), strftime(max(period), '%Y-%m')
        FROM breakdown_values WHERE upload_id = ?
        GROUP BY ALL
        UNION ALL
        SELECT 'benchmarks', area_code, kpi_code, count(*), count(*) FILTER (WHERE u.status = 'loaded'),
               min(year)::VARCHAR, max(year)::VARCHAR
        FROM benchmarks JOIN uploads u USING (upload_id) WHERE upload_id = ?
        GROUP BY ALL
        UNION ALL
        SELECT 'targets', la_code, kpi_code, count(*), count(*) FILTER (WHERE retired_at IS NULL),
               strftime(min(start_period), '%Y-%m'), strftime(max(coalesce(end_period, start_period)), '%Y-%m')
        FROM targets WHERE upload_id = ?
        GROUP BY ALL
        UNION ALL
        SELECT 'statistical neighbours (' || model || ')', NULL, NULL, count(*),
               count(*) FILTER (WHERE u.status = 'loaded'), NULL, NULL
        FROM neighbours JOIN uploads u USING (upload_id) WHERE upload_id = ?
        GROUP BY ALL
        UNION ALL
        SELECT 'inspections', i.la_code, NULL, count(*), count(*) FILTER (WHERE i.retired_at IS NULL),
               strftime(min(v.inspected_on), '%Y-%m'), strftime(max(v.inspected_on), '%Y-%m')
        FROM inspections i JOIN inspection_versions v USING (inspection_id) WHERE i.upload_id = ?
        GROUP BY ALL
        ORDER BY 1, 2, 3
        """,
        [upload_id, upload_id, upload_id, upload_id, upload_id, upload_id],
    ).df()


def kpi_benchmarks(con: duckdb.DuckDBPyConnection, kpi_code: str, area_type: str) -> pd.DataFrame:
    """Published figures of one KPI for one kind of area ('la', 'region'): the newest release wins."""
    return con.execute(
        "SELECT area_code, year, period_end, value, status_code, source, release FROM published_figures"
        " WHERE kpi_code = ? AND area_type = ? ORDER BY year, area_code",
        [kpi_code, area_type],
    ).df()


def period_end_values(con: duckdb.DuckDBPyConnection, kpi_code: str, month: int) -> pd.DataFrame:
    """Every council's current monthly value of one KPI in one calendar month of each year (e.g. every March)."""
    return con.execute(
        """
        SELECT la_code, period, value FROM observations
        WHERE kpi_code = ? AND is_current AND month(period) = ?
        ORDER BY period, la_code
        """,
        [kpi_code, month],
    ).df()


def neighbours(con: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    """A council's statistical neighbours under every model loaded, in DfE's order."""
    return con.execute(
        """
        WITH live AS (
            SELECT n.* FROM neighbours n LEFT JOIN uploads u USING (upload_id)
            WHERE n.upload_id IS NULL OR u.status = 'loaded'
            QUALIFY coalesce(n.upload_id, 0) = max(coalesce(n.upload_id, 0)) OVER (PARTITION BY n.model)
        )
        SELECT n.neighbour_code, c.name, n.model, n.rank
        FROM live n LEFT JOIN councils c ON c.la_code = n.neighbour_code
        WHERE n.la_code = ? ORDER BY n.model, n.rank
        """,
        [la_code],
    ).df()


_CURRENT_INSPECTIONS = """
    WITH current AS (
        SELECT v.* FROM inspection_versions v JOIN inspections i USING (inspection_id)
        WHERE i.la_code = ? AND i.retired_at IS NULL
        QUALIFY row_number() OVER (PARTITION BY v.inspection_id ORDER BY v.version_id DESC) = 1
    )
"""


def inspections(con: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    """Each live inspection as last recorded, one column per judgement area (grade code, or empty), oldest first."""
    return con.execute(
        _CURRENT_INSPECTIONS + """
        SELECT c.inspection_id, c.kind, c.inspected_on, c.published_on, c.report_ref,
               max(j.grade) FILTER (WHERE j.area = 'overall') AS overall,
               max(j.grade) FILTER (WHERE j.area = 'leaders') AS leaders,
               max(j.grade) FILTER (WHERE j.area = 'help_protection') AS help_protection,
               max(j.grade) FILTER (WHERE j.area = 'children_in_care') AS children_in_care,
               max(j.grade) FILTER (WHERE j.area = 'care_leavers') AS care_leavers,
               c.created_by AS changed_by, c.created_at AS changed_at
        FROM current c LEFT JOIN inspection_judgements j USING (version_id)
        GROUP BY ALL ORDER BY c.inspected_on, c.inspection_id
        """,
        [la_code],
    ).df()


def inspection_history(con: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    """Every version of every inspection the council recorded, removed ones included, newest first."""
    return con.execute(
        """
        SELECT v.inspection_id, v.version_id, v.kind, v.inspected_on, v.published_on, v.report_ref,
               string_agg(j.area || '=' || j.grade, '; ' ORDER BY j.area) AS judgements,
               v.created_by, v.created_at, i.retired_by, i.retired_at
        FROM inspection_versions v JOIN inspections i USING (inspection_id)
        LEFT JOIN inspection_judgements j USING (version_id)
        WHERE i.la_code = ? GROUP BY ALL ORDER BY v.created_at DESC, v.version_id DESC
        """,
        [la_code],
    ).df()


_CURRENT_RECOMMENDATIONS = """
    WITH current AS (
        SELECT v.*, r.ref, r.inspection_id FROM recommendation_versions v JOIN recommendations r USING (rec_id)
        WHERE r.la_code = ? AND r.retired_at IS NULL
        QUALIFY row_number() OVER (PARTITION BY v.rec_id ORDER BY v.version_id DESC) = 1
    ),
    linked AS (
        SELECT version_id, string_agg(kpi_code, ', ' ORDER BY kpi_code) AS kpi_codes
        FROM recommendation_kpis GROUP BY version_id
    ),
    latest AS (
        SELECT rec_id, kind, text, noted_on FROM recommendation_log WHERE retired_at IS NULL
        QUALIFY row_number() OVER (PARTITION BY rec_id, kind ORDER BY noted_on DESC, log_id DESC) = 1
    )
"""


def recommendations(con: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    """Every live recommendation as it stands: its latest version, linked KPI codes (comma separated, sorted),
    its inspection and the latest progress note and impact statement."""
    return con.execute(
        _CURRENT_RECOMMENDATIONS + """
        SELECT c.rec_id, c.ref, c.inspection_id, c.text, c.area, c.timescale, c.counts_from, c.due_on, c.owner,
               c.status, c.rag, coalesce(k.kpi_codes, '') AS kpi_codes, c.created_by AS changed_by,
               c.created_at AS changed_at, p.text AS progress, p.noted_on AS progress_on,
               i.text AS impact, i.noted_on AS impact_on
        FROM current c LEFT JOIN linked k USING (version_id)
        LEFT JOIN latest p ON p.rec_id = c.rec_id AND p.kind = 'progress'
        LEFT JOIN latest i ON i.rec_id = c.rec_id AND i.kind = 'impact'
        ORDER BY c.rec_id
        """,
        [la_code],
    ).df()


def recommendation_log(con: duckdb.DuckDBPyConnection, la_code: str, rec_id: int) -> pd.DataFrame:
    """A recommendation's progress notes and impact statements, newest first, withdrawn ones marked."""
    return con.execute(
        """
        SELECT l.log_id, l.kind, l.noted_on, l.text, l.source, l.created_by, l.created_at, l.retired_by, l.retired_at
        FROM recommendation_log l JOIN recommendations r USING (rec_id)
        WHERE r.la_code = ? AND l.rec_id = ? ORDER BY l.noted_on DESC, l.log_id DESC
        """,
        [la_code, rec_id],
    ).df()


def recommendation_history(con: duckdb.DuckDBPyConnection, la_code: str, rec_id: int) -> pd.DataFrame:
    """Every version of one recommendation with who made it and when, newest first."""
    return con.execute(
        """
        SELECT v.version_id, v.text, v.area, v.timescale, v.due_on, v.owner, v.status, v.rag,
               coalesce(string_agg(k.kpi_code, ', ' ORDER BY k.kpi_code), '') AS kpi_codes, v.source,
               v.created_by, v.created_at
        FROM recommendation_versions v JOIN recommendations r USING (rec_id)
        LEFT JOIN recommendation_kpis k USING (version_id)
        WHERE r.la_code = ? AND v.rec_id = ? GROUP BY ALL ORDER BY v.version_id DESC
        """,
        [la_code, rec_id],
    ).df()


def kpi_due_dates(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str) -> pd.DataFrame:
    """The live recommendations whose current version is linked to one KPI, with their due dates."""
    return con.execute(
        _CURRENT_RECOMMENDATIONS + """
        SELECT c.rec_id, c.ref, c.text, c.due_on, c.status
        FROM current c JOIN recommendation_kpis k USING (version_id)
        WHERE k.kpi_code = ? ORDER BY c.due_on, c.rec_id
        """,
        [la_code, kpi_code],
    ).df()


def neighbour_model(con: duckdb.DuckDBPyConnection, la_code: str) -> str | None:
    """The statistical-neighbour model the council last chose, or None when it has not chosen one."""
    row = con.execute(
        "SELECT model FROM neighbour_model_choices WHERE la_code = ? ORDER BY chosen_at DESC, choice_id DESC LIMIT 1",
        [la_code],
    ).fetchone()
    return None if row is None else row[0]


def releases(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each published release whose figures the dashboard shows now, newest first, for the attribution line."""
    return con.execute(
        "SELECT release, max(release_year) AS release_year, count(*) AS figures FROM published_figures"
        " WHERE release IS NOT NULL GROUP BY release ORDER BY release_year DESC, release"
    ).df()


def published_figures(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every published figure the pages use (the newest release of each), for export: England as E92000001, a
    region or council by its code, the date as YYYY-MM-DD, and a suppressed figure with no value and its code."""
    return con.execute(
        "SELECT area_code AS la_code, kpi_code, strftime(period_end, '%Y-%m-%d') AS period_end, value,"
        " status_code AS status, source, release FROM published_figures ORDER BY la_code, kpi_code, period_end"
    ).df()


def teams(con: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    """The council's teams, localities and services: each one's names over time, its current figures, and the
    team it was merged into and from when."""
    return con.execute(
        """
        SELECT t.team_id, t.kind, t.name, string_agg(n.name, '; ' ORDER BY n.name) AS names,
               (SELECT count(*) FROM breakdown_values b WHERE b.team_id = t.team_id AND b.is_current) AS figures,
               i.name AS merged_into_name, t.merged_from
        FROM teams t JOIN team_names n ON n.team_id = t.team_id LEFT JOIN teams i ON i.team_id = t.merged_into
        WHERE t.la_code = ?
        GROUP BY t.team_id, t.kind, t.name, i.name, t.merged_from ORDER BY t.merged_from IS NOT NULL, t.kind, t.name
        """, [la_code]).df()


def team_values(con: duckdb.DuckDBPyConnection, la_code: str, kpi_code: str, until: date) -> pd.DataFrame:
    """A KPI's current figures by team up to a month, with the upload each came from; a merged team's figures keep
    its own name and say when it joined another."""
    return con.execute(
        """
        SELECT t.team_id, t.name AS team, t.kind, b.period, b.value, b.numerator, b.denominator, b.status_code,
               b.upload_id, i.name AS merged_into_name, t.merged_from
        FROM breakdown_values b JOIN teams t ON t.team_id = b.team_id LEFT JOIN teams i ON i.team_id = t.merged_into
        WHERE b.la_code = ? AND b.kpi_code = ? AND b.is_current AND b.period <= ?
        ORDER BY t.name, b.period
        """, [la_code, kpi_code, until]).df()


def kpis_with_team_values(con: duckdb.DuckDBPyConnection, la_code: str, period: date) -> list[str]:
    """The KPIs with figures by team in a month, for the Overview's drill from a KPI to its teams."""
    return [row[0] for row in con.execute(
        "SELECT DISTINCT kpi_code FROM breakdown_values WHERE la_code = ? AND period = ? AND is_current",
        [la_code, period]).fetchall()]
