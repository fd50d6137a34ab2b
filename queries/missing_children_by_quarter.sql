-- Children who went missing, and their episodes, in each quarter and in the whole period (a child missing in
-- several quarters counts once in the period). With $referred_only, only children with a CSE referral matching
-- the shared filters.
WITH episodes AS (
    SELECT child_key, quarter_start, quarter
    FROM filtered_missing_episodes($period_start, $period_end, $areas, $sources, $age_bands, $genders, $referred_only)
),

final AS (
    SELECT
        quarter,
        grouping(quarter_start, quarter) > 0 AS whole_period,
        count(*) AS episodes,
        count(DISTINCT child_key) AS children
    FROM episodes
    GROUP BY GROUPING SETS ((quarter_start, quarter), ())
    ORDER BY whole_period, quarter_start
)

SELECT * FROM final
