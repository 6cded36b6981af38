-- the KPI catalogue names the count each percentage or rate is worked out from, and whom a KPI counts, so disclosure control can tell which published figures could give back 1 to 5 children
-- A database made before it gets the values of the shipped data/kpi_catalogue.csv of the time (tests/test_store.py checks they agree); a fresh database gets them from the CSV.
ALTER TABLE kpis ADD COLUMN numerator_kpi VARCHAR;
ALTER TABLE kpis ADD COLUMN denominator_kpi VARCHAR;
ALTER TABLE kpis ADD COLUMN subject VARCHAR DEFAULT 'children';
UPDATE kpis SET subject = 'children' WHERE subject IS NULL;
UPDATE kpis SET numerator_kpi = m.count_kpi
FROM (VALUES ('CPP_RATE', 'CPP_COUNT'), ('CLA_RATE', 'CLA_COUNT')) AS m(code, count_kpi)
WHERE kpis.code = m.code;
UPDATE kpis SET denominator_kpi = m.count_kpi
FROM (VALUES ('CONTACT_DECISION_1WD_PCT', 'CONTACTS'), ('CPP_2YR_PCT', 'CPP_COUNT'),
             ('VISITS_CP_PCT', 'CPP_COUNT'), ('PLACEMENT_3PLUS_PCT', 'CLA_COUNT'),
             ('CLA_3PLUS_SW_PCT', 'CLA_COUNT'), ('VISITS_CLA_PCT', 'CLA_COUNT')) AS m(code, count_kpi)
WHERE kpis.code = m.code;
UPDATE kpis SET subject = 'staff'
WHERE code IN ('SW_FTE', 'SW_CASELOAD', 'SW_TURNOVER_PCT', 'SW_AGENCY_PCT', 'SW_VACANCY_PCT',
               'SW_ABSENCE_PCT');
