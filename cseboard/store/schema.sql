-- The store: every loaded extract's rows, tagged with the extract they came from.
-- The current_* views show, for each quarter, the newest extract that covers it, so that
-- loading an extract for a quarter already loaded replaces it, and removing it brings the old one back.

-- version changes with every load or removal; last_extract_id is the last extract id given, counted in the load's
-- own transaction so that a failed load gives none away.
CREATE TABLE IF NOT EXISTS store_meta (version BIGINT NOT NULL);
INSERT INTO store_meta (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM store_meta);
-- A demo store (no sign-in configured) holds the synthetic sample only: it refuses any other extract.
ALTER TABLE store_meta ADD COLUMN IF NOT EXISTS demo BOOLEAN DEFAULT false;
ALTER TABLE store_meta ADD COLUMN IF NOT EXISTS last_extract_id BIGINT;

-- How the columns kept up to date at load (child_key, days_since_missing, child_referrals, child_quarter_referrals)
-- were made: the version of those columns and what DuckDB's hash() gave for a fixed text. A store made otherwise
-- (by an older version, or by a DuckDB that hashes differently) gets them recomputed when it is opened.
CREATE TABLE IF NOT EXISTS derived_columns (made_with VARCHAR);

-- The installation's secret for record keys (cseboard.store.database.record_key_sql): made once, when the store is
-- created, and read by the store alone; no query in queries/ selects it and no page shows it. Without it nobody can
-- work out which way a published figure was rounded (docs/disclosure.md).
CREATE TABLE IF NOT EXISTS record_key_secret (secret VARCHAR NOT NULL);

CREATE TABLE IF NOT EXISTS extracts (
    extract_id INTEGER PRIMARY KEY,
    source_name VARCHAR NOT NULL,
    period_start VARCHAR NOT NULL,        -- first quarter covered, e.g. 2025-Q1
    period_end VARCHAR NOT NULL,          -- last quarter covered
    period_start_date DATE NOT NULL,
    period_end_date DATE NOT NULL,        -- first day of the last quarter covered
    loaded_at TIMESTAMP NOT NULL,
    files_sha256 VARCHAR NOT NULL,
    rows_referrals BIGINT NOT NULL,
    rows_missing_episodes BIGINT NOT NULL,
    rows_training BIGINT NOT NULL,
    rows_population BIGINT NOT NULL,
    warnings BIGINT NOT NULL,
    quality_json VARCHAR,                 -- the data-quality report kept with the extract
    synthetic BOOLEAN,                    -- the project's synthetic sample (never shares a store with real data)
    rows_awareness BIGINT NOT NULL DEFAULT 0
);
-- Stores made before the column: the sample was the extract named after its folder.
ALTER TABLE extracts ADD COLUMN IF NOT EXISTS synthetic BOOLEAN;
UPDATE extracts SET synthetic = (source_name = 'sample') WHERE synthetic IS NULL;
-- A store made before the awareness table gets its row count column (0 for the extracts already loaded).
ALTER TABLE extracts ADD COLUMN IF NOT EXISTS rows_awareness BIGINT DEFAULT 0;

-- Stores made before last_extract_id carry on from the ids they gave (from the sequence they used then).
UPDATE store_meta SET last_extract_id = greatest(
    (SELECT coalesce(max(extract_id), 0) FROM extracts),
    (SELECT coalesce(max(last_value), 0) FROM duckdb_sequences() WHERE sequence_name = 'extract_ids'))
WHERE last_extract_id IS NULL;

CREATE TABLE IF NOT EXISTS referrals (
    extract_id INTEGER NOT NULL,
    referral_id VARCHAR NOT NULL,
    child_id VARCHAR NOT NULL,
    referral_date DATE NOT NULL,
    quarter VARCHAR NOT NULL,
    quarter_start DATE NOT NULL,
    age_at_referral TINYINT NOT NULL,
    age_band VARCHAR NOT NULL,
    gender VARCHAR NOT NULL,
    ethnicity VARCHAR NOT NULL,
    area VARCHAR NOT NULL,
    referral_source VARCHAR NOT NULL,
    risk_level VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    looked_after BOOLEAN NOT NULL,
    linked_crimes VARCHAR[],
    vulnerabilities VARCHAR[],
    child_key UBIGINT NOT NULL,           -- hash(child_id): child-level counts group on a number, not on text
    days_since_missing SMALLINT,          -- days since the child's latest current missing episode started, on or
                                          -- before the referral date and within 365 days; NULL if none
    child_referrals INTEGER,              -- how many current referrals the child has (1: counted without grouping)
    child_quarter_referrals INTEGER,      -- how many referrals the child has in this quarter (same extract)
    referral_rkey UTINYINT,               -- the referral's record key, 0-255, for cell keys (docs/disclosure.md)
    child_rkey UTINYINT                   -- the child's record key, the same in every table and extract
);

CREATE TABLE IF NOT EXISTS missing_episodes (
    extract_id INTEGER NOT NULL,
    episode_id VARCHAR NOT NULL,
    child_id VARCHAR NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE,
    quarter VARCHAR NOT NULL,
    quarter_start DATE NOT NULL,
    return_interview VARCHAR NOT NULL,
    return_interview_date DATE,
    child_key UBIGINT NOT NULL,
    episode_rkey UTINYINT,                -- the episode's record key, 0-255, for cell keys
    child_rkey UTINYINT                   -- the child's record key, as in referrals
);

CREATE TABLE IF NOT EXISTS training (
    extract_id INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    quarter_start DATE NOT NULL,
    agency VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    staff_in_scope BIGINT NOT NULL,
    staff_trained BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS population (
    extract_id INTEGER NOT NULL,
    area VARCHAR NOT NULL,
    age_band VARCHAR NOT NULL,
    gender VARCHAR NOT NULL,
    children BIGINT NOT NULL,
    ethnicity VARCHAR                     -- optional: NULL when the partnership gave no ethnicity breakdown
);
-- Stores made before population had an ethnicity column get it (empty) when opened.
ALTER TABLE population ADD COLUMN IF NOT EXISTS ethnicity VARCHAR;

-- Prevention and awareness work: sessions and people reached per quarter, audience, setting and area (NULL when
-- the work was not tied to one area, such as online sessions).
CREATE TABLE IF NOT EXISTS awareness (
    extract_id INTEGER NOT NULL,
    period VARCHAR NOT NULL,
    quarter_start DATE NOT NULL,
    audience VARCHAR NOT NULL,
    setting VARCHAR NOT NULL,
    area VARCHAR,
    sessions BIGINT NOT NULL,
    people_reached BIGINT NOT NULL,
    planned_reach BIGINT
);

CREATE OR REPLACE VIEW active_quarters AS
SELECT quarter_start, max(extract_id) AS extract_id
FROM (
    SELECT extract_id, unnest(generate_series(period_start_date, period_end_date, INTERVAL 3 MONTH))::DATE AS quarter_start
    FROM extracts
)
GROUP BY quarter_start;

CREATE OR REPLACE VIEW current_referrals AS
SELECT r.* FROM referrals r JOIN active_quarters a USING (extract_id, quarter_start);

CREATE OR REPLACE VIEW current_missing_episodes AS
SELECT m.* FROM missing_episodes m JOIN active_quarters a USING (extract_id, quarter_start);

CREATE OR REPLACE VIEW current_training AS
SELECT t.* FROM training t JOIN active_quarters a USING (extract_id, quarter_start);

CREATE OR REPLACE VIEW current_awareness AS
SELECT w.* FROM awareness w JOIN active_quarters a USING (extract_id, quarter_start);

CREATE OR REPLACE VIEW current_population AS
SELECT * FROM population WHERE extract_id = (SELECT max(extract_id) FROM population);

-- The shared sidebar filters, applied the same way by every query: a NULL list means "all".
CREATE OR REPLACE MACRO filtered_referrals(period_start, period_end, areas, sources, age_bands, genders) AS TABLE
SELECT * FROM current_referrals
WHERE quarter_start BETWEEN period_start AND period_end
  AND (areas IS NULL OR list_contains(areas, area))
  AND (sources IS NULL OR list_contains(sources, referral_source))
  AND (age_bands IS NULL OR list_contains(age_bands, age_band))
  AND (genders IS NULL OR list_contains(genders, gender));

-- Missing episodes that started in the period. The area, source, age and gender filters describe referrals, so they
-- cannot apply to children with no CSE referral: with referred_only, only children with a referral matching them.
-- Two branches, so that without referred_only the referred children are not looked up at all (an OR with the
-- lookup computed it either way: half the time of the missing page's queries at 1M and 10M).
CREATE OR REPLACE MACRO filtered_missing_episodes(period_start, period_end, areas, sources, age_bands, genders,
                                                  referred_only) AS TABLE
SELECT * FROM current_missing_episodes
WHERE quarter_start BETWEEN period_start AND period_end AND NOT referred_only
UNION ALL
SELECT * FROM current_missing_episodes
WHERE quarter_start BETWEEN period_start AND period_end AND referred_only
  AND child_key IN (
      SELECT child_key FROM filtered_referrals(period_start, period_end, areas, sources, age_bands, genders));

-- Published national benchmarks imported on the National benchmarks page (cseboard.national's tidy tables).
-- They are not extracts: a re-import replaces a table whole, and loading or removing an extract leaves them alone.
CREATE TABLE IF NOT EXISTS national_factors (
    time_period INTEGER NOT NULL,
    geographic_level VARCHAR NOT NULL,
    region_code VARCHAR,
    region_name VARCHAR,
    old_la_code VARCHAR,
    new_la_code VARCHAR,
    la_name VARCHAR,
    factor VARCHAR NOT NULL,
    value DOUBLE,                         -- NULL where DfE published a symbol
    symbol VARCHAR                        -- c, x, u, z or low; NULL where there is a value
);

CREATE TABLE IF NOT EXISTS national_population (
    time_period INTEGER NOT NULL,
    geographic_level VARCHAR NOT NULL,
    region_code VARCHAR,
    region_name VARCHAR,
    old_la_code VARCHAR,
    new_la_code VARCHAR,
    la_name VARCHAR,
    children_0_to_17 DOUBLE,
    symbol VARCHAR
);

CREATE TABLE IF NOT EXISTS national_neighbours (
    old_la_code VARCHAR NOT NULL,
    la_name VARCHAR,
    neighbour_rank INTEGER NOT NULL,
    neighbour_old_la_code VARCHAR,
    closeness VARCHAR
);

CREATE TABLE IF NOT EXISTS national_imports (
    kind VARCHAR PRIMARY KEY,             -- factors, population or neighbours
    file_name VARCHAR NOT NULL,
    imported_at TIMESTAMP NOT NULL
);

-- Who may sign in with a local account (sign_in = "local"): passwords only as argon2 hashes. Accounts are never
-- deleted, only disabled, so the audit trail's names keep meaning who they were.
CREATE TABLE IF NOT EXISTS accounts (
    username VARCHAR PRIMARY KEY,
    role VARCHAR NOT NULL,                -- viewer, analyst or administrator
    password_hash VARCHAR NOT NULL,       -- argon2id, salted (argon2-cffi)
    disabled BOOLEAN NOT NULL DEFAULT false,
    failed_attempts INTEGER NOT NULL DEFAULT 0,   -- failed sign-ins since the last good one
    locked_until TIMESTAMP,               -- set after too many failures
    created_at TIMESTAMP NOT NULL
);

-- Signed-in local sessions: only a hash of each random token is kept; a session ends after inactivity.
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 VARCHAR PRIMARY KEY,
    username VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL
);

-- The audit trail: append-only (no code path updates or deletes it; tests/test_audit.py checks).
CREATE SEQUENCE IF NOT EXISTS audit_ids START 1;
CREATE TABLE IF NOT EXISTS audit_log (
    entry_id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
    happened_at TIMESTAMP NOT NULL,
    who VARCHAR NOT NULL,                 -- username, SSO e-mail, or "demo visitor"
    role VARCHAR,                         -- the role they held then (none for a failed sign-in)
    action VARCHAR NOT NULL,              -- see cseboard/access/audit.py ACTIONS
    detail VARCHAR NOT NULL               -- JSON: the extract, the filters used, the reason...
);
