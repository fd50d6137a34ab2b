-- Children referred (distinct children) and how many of them are boys, for the whole period and by
-- quarter, area and referral source: "are boys under-identified, and where?". A child counts once in
-- each group they were referred in, and as a boy if any of their referrals there records them as Male.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

-- One row per child per group they were referred in (one hash aggregate per grouping set, no DISTINCT).
children AS (
    SELECT
        CASE
            WHEN grouping(quarter_start) = 0 THEN 'quarter'
            WHEN grouping(area) = 0 THEN 'area'
            WHEN grouping(referral_source) = 0 THEN 'referral_source'
            ELSE 'all'
        END AS breakdown,
        CASE
            WHEN grouping(quarter_start) = 0 THEN any_value(quarter)
            WHEN grouping(area) = 0 THEN area
            WHEN grouping(referral_source) = 0 THEN referral_source
            ELSE 'All children referred'
        END AS "group",
        quarter_start,
        bool_or(gender = 'Male') AS is_boy
    FROM referrals
    GROUP BY GROUPING SETS ((child_key), (child_key, quarter_start), (child_key, area), (child_key, referral_source))
),

grouped AS (
    SELECT
        breakdown,
        "group",
        quarter_start,
        count(*) AS children,
        count(*) FILTER (WHERE is_boy) AS boys
    FROM children
    GROUP BY breakdown, "group", quarter_start
),

final AS (
    SELECT breakdown, "group", children, boys
    FROM grouped
    ORDER BY breakdown, quarter_start, "group"
)

SELECT * FROM final
