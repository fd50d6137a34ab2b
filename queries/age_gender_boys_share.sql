-- Children referred (distinct children) and how many of them are boys, for the whole period and by
-- quarter, area and referral source: "are boys under-identified, and where?". A child counts once in
-- each group they were referred in, and as a boy if any of their referrals there records them as Male.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

-- A child with one current referral in the whole store (child_referrals, kept up to date at load) is one child in
-- each of that referral's groups, whatever the filters: counted straight from the referral, without grouping on the
-- child. Most children are referred once, so the grouping on the child below runs on the rest only.
only_referrals AS (
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
        count(*) AS children,
        count_if(gender = 'Male') AS boys
    FROM referrals
    WHERE child_referrals = 1
    GROUP BY GROUPING SETS ((), (quarter_start), (area), (referral_source))
),

-- Children referred more than once: one row per child per group they were referred in.
repeat_children AS (
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
    WHERE child_referrals > 1
    GROUP BY GROUPING SETS ((child_key), (child_key, quarter_start), (child_key, area), (child_key, referral_source))
),

repeat_counts AS (
    SELECT breakdown, "group", quarter_start, count(*) AS children, count_if(is_boy) AS boys
    FROM repeat_children
    GROUP BY breakdown, "group", quarter_start
),

final AS (
    SELECT breakdown, "group", sum(children)::BIGINT AS children, sum(boys)::BIGINT AS boys
    FROM (SELECT * FROM only_referrals UNION ALL SELECT * FROM repeat_counts)
    GROUP BY breakdown, "group", quarter_start
    ORDER BY breakdown, quarter_start, "group"
)

SELECT * FROM final
