-- How many children went missing once, twice, three times... in the period (three or more is "repeat missing").
-- With $referred_only, only children with a CSE referral matching the shared filters.
WITH episodes AS (
    SELECT child_key
    FROM filtered_missing_episodes($period_start, $period_end, $areas, $sources, $age_bands, $genders, $referred_only)
),

episodes_per_child AS (
    SELECT child_key, count(*) AS episodes_in_period
    FROM episodes
    GROUP BY child_key
),

final AS (
    SELECT episodes_in_period, count(*) AS children
    FROM episodes_per_child
    GROUP BY episodes_in_period
    ORDER BY episodes_in_period
)

SELECT * FROM final
