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
        grouping(quarter_start, area, referral_source) AS grouping_id,
        quarter_start,
        area,
        referral_source,
        count(*) AS children,
        count_if(gender = 'Male') AS boys
    FROM referrals
    WHERE child_referrals = 1
    GROUP BY GROUPING SETS ((), (quarter_start), (area), (referral_source))
),

-- Children referred more than once: one row per child per group they were referred in.
repeat_children AS (
    SELECT
        grouping(quarter_start, area, referral_source) AS grouping_id,
        quarter_start,
        area,
        referral_source,
        bool_or(gender = 'Male') AS is_boy
    FROM referrals
    WHERE child_referrals > 1
    GROUP BY GROUPING SETS ((child_key), (child_key, quarter_start), (child_key, area), (child_key, referral_source))
),

repeat_counts AS (
    SELECT grouping_id, quarter_start, area, referral_source, count(*) AS children, count_if(is_boy) AS boys
    FROM repeat_children
    GROUP BY grouping_id, quarter_start, area, referral_source
),

-- grouping_id has a bit set for each column a group does not have: 3 = by quarter, 5 = by area, 6 = by source.
counts AS (
    SELECT grouping_id, quarter_start, area, referral_source, sum(children)::BIGINT AS children, sum(boys)::BIGINT AS boys
    FROM (SELECT * FROM only_referrals UNION ALL SELECT * FROM repeat_counts)
    GROUP BY grouping_id, quarter_start, area, referral_source
),

final AS (
    SELECT
        CASE grouping_id WHEN 3 THEN 'quarter' WHEN 5 THEN 'area' WHEN 6 THEN 'referral_source' ELSE 'all' END
            AS breakdown,
        CASE grouping_id
            WHEN 3 THEN year(quarter_start) || '-Q' || quarter(quarter_start)
            WHEN 5 THEN area
            WHEN 6 THEN referral_source
            ELSE 'All children referred'
        END AS "group",
        children,
        boys
    FROM counts
    ORDER BY breakdown, quarter_start, "group"
)

SELECT * FROM final
