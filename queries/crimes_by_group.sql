-- How many referrals record each linked crime and each vulnerability, per quarter, gender and age band, with the
-- referrals in each of those groups (the denominator; a group with none recorded has one row with no item). Beside
-- each count its cell key (docs/disclosure.md): the referrals' record keys summed, modulo 256.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

referral_groups AS (
    SELECT quarter_start, quarter, gender, age_band, count(*) AS referrals, sum(referral_rkey) AS referrals_ckey
    FROM referrals
    GROUP BY quarter_start, quarter, gender, age_band
),

-- Referrals recording the same list in the same group counted once, then unnested: the unnest runs on the distinct
-- lists per group, weighted by their referrals, not on a row per referral.
crime_lists AS (
    SELECT quarter_start, gender, age_band, linked_crimes, count(*) AS referrals, sum(referral_rkey) AS ckey
    FROM referrals
    WHERE len(linked_crimes) > 0
    GROUP BY quarter_start, gender, age_band, linked_crimes
),

vulnerability_lists AS (
    SELECT quarter_start, gender, age_band, vulnerabilities, count(*) AS referrals, sum(referral_rkey) AS ckey
    FROM referrals
    WHERE len(vulnerabilities) > 0
    GROUP BY quarter_start, gender, age_band, vulnerabilities
),

recorded AS (
    SELECT quarter_start, gender, age_band, 'crime' AS kind, unnest(list_distinct(linked_crimes)) AS item, referrals, ckey
    FROM crime_lists
    UNION ALL
    SELECT quarter_start, gender, age_band, 'vulnerability' AS kind, unnest(list_distinct(vulnerabilities)) AS item,
        referrals, ckey
    FROM vulnerability_lists
),

recorded_counts AS (
    SELECT quarter_start, gender, age_band, kind, item, sum(referrals)::BIGINT AS referrals_with,
        (sum(ckey) % 256)::INTEGER AS referrals_with_ckey
    FROM recorded
    GROUP BY quarter_start, gender, age_band, kind, item
),

final AS (
    SELECT g.quarter, g.gender, g.age_band, c.kind, c.item, coalesce(c.referrals_with, 0) AS referrals_with,
        coalesce(c.referrals_with_ckey, 0) AS referrals_with_ckey, g.referrals, (g.referrals_ckey % 256)::INTEGER AS referrals_ckey
    FROM referral_groups AS g
    LEFT JOIN recorded_counts AS c USING (quarter_start, gender, age_band)
    ORDER BY g.quarter_start, g.gender, g.age_band, c.kind, c.item
)

SELECT * FROM final
