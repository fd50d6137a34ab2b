-- Children referred (distinct children) and how many of them are boys, for the whole period and by
-- quarter, area and referral source: "are boys under-identified, and where?". A child counts once in
-- each group they were referred in, and as a boy if any of their referrals there records them as Male. Beside each
-- count its cell key (docs/disclosure.md): the record keys of its distinct children, summed modulo 256.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

-- A child with one current referral in the whole store (child_referrals, kept up to date at load) is one child in
-- each of that referral's groups, whatever the filters: counted straight from the referral, without grouping on the
-- child. For the quarters, the same holds for a child with one referral in that quarter (child_quarter_referrals).
-- Most children are referred once, so the grouping on the child below runs on the rest only.
only_referrals AS (
    SELECT
        CASE grouping(area, referral_source) WHEN 1 THEN 5 WHEN 2 THEN 6 ELSE 7 END AS grouping_id,
        NULL::DATE AS quarter_start,
        area,
        referral_source,
        count(*) AS children,
        count_if(gender = 'Male') AS boys,
        sum(child_rkey) AS children_ckey,
        coalesce(sum(child_rkey) FILTER (gender = 'Male'), 0) AS boys_ckey
    FROM referrals
    WHERE child_referrals = 1
    GROUP BY GROUPING SETS ((), (area), (referral_source))
    UNION ALL
    SELECT 3, quarter_start, NULL, NULL, count(*), count_if(gender = 'Male'), sum(child_rkey),
           coalesce(sum(child_rkey) FILTER (gender = 'Male'), 0)
    FROM referrals
    WHERE child_quarter_referrals = 1
    GROUP BY quarter_start
),

-- Children referred more than once (in the period, or in a quarter): one row per child per group they were in.
repeat_children AS (
    SELECT
        CASE grouping(area, referral_source) WHEN 1 THEN 5 WHEN 2 THEN 6 ELSE 7 END AS grouping_id,
        NULL::DATE AS quarter_start,
        area,
        referral_source,
        bool_or(gender = 'Male') AS is_boy,
        any_value(child_rkey) AS child_rkey
    FROM referrals
    WHERE child_referrals > 1
    GROUP BY GROUPING SETS ((child_key), (child_key, area), (child_key, referral_source))
    UNION ALL
    SELECT 3, quarter_start, NULL, NULL, bool_or(gender = 'Male'), any_value(child_rkey)
    FROM referrals
    WHERE child_quarter_referrals > 1
    GROUP BY child_key, quarter_start
),

repeat_counts AS (
    SELECT grouping_id, quarter_start, area, referral_source, count(*) AS children, count_if(is_boy) AS boys,
           sum(child_rkey) AS children_ckey, coalesce(sum(child_rkey) FILTER (is_boy), 0) AS boys_ckey
    FROM repeat_children
    GROUP BY grouping_id, quarter_start, area, referral_source
),

-- grouping_id: 3 = by quarter, 5 = by area, 6 = by source, 7 = all, as grouping(quarter_start, area, referral_source)
-- numbers them (a bit for each column a group lacks).
counts AS (
    SELECT grouping_id, quarter_start, area, referral_source, sum(children)::BIGINT AS children, sum(boys)::BIGINT AS boys,
           (sum(children_ckey) % 256)::INTEGER AS children_ckey, (sum(boys_ckey) % 256)::INTEGER AS boys_ckey
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
        boys,
        children_ckey,
        boys_ckey
    FROM counts
    ORDER BY breakdown, quarter_start, "group"
)

SELECT * FROM final
