-- Which tables the extract behind each loaded quarter of the period supplied, and whether the quarter was still under
-- way when that extract was loaded (or still is today): so a page says "no data" or "partial" instead of showing 0.
WITH loaded AS (
    SELECT a.quarter_start, e.rows_missing_episodes > 0 AS has_missing_episodes, e.rows_training > 0 AS has_training,
           e.rows_population > 0 AS has_population, e.loaded_at::DATE AS loaded_on,
           (a.quarter_start + INTERVAL 3 MONTH)::DATE AS next_quarter_start
    FROM active_quarters a JOIN extracts e USING (extract_id)
    WHERE a.quarter_start BETWEEN $period_start AND $period_end
),

final AS (
    SELECT strftime(quarter_start, '%Y') || '-Q' || quarter(quarter_start) AS quarter, has_missing_episodes,
           has_training, has_population, loaded_on < next_quarter_start OR current_date < next_quarter_start AS partial
    FROM loaded
    ORDER BY quarter
)

SELECT * FROM final
