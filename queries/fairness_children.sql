-- Children referred by gender, ethnicity and age band, for "who is not being identified?": each group's
-- share of the children referred, set against its share of the child population. A child counts once
-- in each comparison, with the gender, ethnicity and age band of their latest referral in the period.
-- Beside each count its cell key (docs/disclosure.md): the record keys of its distinct children, summed modulo 256.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

children AS (
    SELECT
        any_value(child_rkey) AS child_rkey,
        arg_max(gender, referral_date) AS gender,
        arg_max(ethnicity, referral_date) AS ethnicity,
        arg_max(age_band, referral_date) AS age_band
    FROM referrals
    GROUP BY child_key
),

by_group AS (
    SELECT
        CASE WHEN grouping(gender) = 0 THEN 'gender' WHEN grouping(ethnicity) = 0 THEN 'ethnicity'
             ELSE 'age_band' END AS dimension,
        coalesce(gender, ethnicity, age_band) AS "group",
        count(*) AS children,
        (sum(child_rkey) % 256)::INTEGER AS children_ckey
    FROM children
    GROUP BY GROUPING SETS ((gender), (ethnicity), (age_band))
),

final AS (
    SELECT dimension, "group", children, children_ckey FROM by_group ORDER BY dimension, "group"
)

SELECT * FROM final
