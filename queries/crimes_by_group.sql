-- How many referrals record each linked crime and each vulnerability, per quarter, gender and age band, with the
-- referrals in each of those groups (the denominator; a group with none recorded has one row with no item).
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

referral_groups AS (
    SELECT quarter_start, quarter, gender, age_band, count(*) AS referrals
    FROM referrals
    GROUP BY quarter_start, quarter, gender, age_band
),

recorded AS (
    SELECT quarter_start, gender, age_band, 'crime' AS kind, unnest(list_distinct(linked_crimes)) AS item
    FROM referrals
    UNION ALL
    SELECT quarter_start, gender, age_band, 'vulnerability' AS kind, unnest(list_distinct(vulnerabilities)) AS item
    FROM referrals
),

recorded_counts AS (
    SELECT quarter_start, gender, age_band, kind, item, count(*) AS referrals_with
    FROM recorded
    GROUP BY quarter_start, gender, age_band, kind, item
),

final AS (
    SELECT g.quarter, g.gender, g.age_band, c.kind, c.item, coalesce(c.referrals_with, 0) AS referrals_with, g.referrals
    FROM referral_groups AS g
    LEFT JOIN recorded_counts AS c USING (quarter_start, gender, age_band)
    ORDER BY g.quarter_start, g.gender, g.age_band, c.kind, c.item
)

SELECT * FROM final
