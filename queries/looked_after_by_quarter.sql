-- Children referred each quarter and how many of them are looked after, by age band and gender: "what
-- share of the children referred are in care, and is it changing?". A child counts once a quarter, with
-- the age band and gender of their latest referral in it, as looked after if any referral that quarter says so.
-- Beside each count its cell key (docs/disclosure.md): the record keys of its distinct children, summed modulo 256.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

children_in_quarter AS (
    SELECT
        quarter_start,
        any_value(quarter) AS quarter,
        any_value(child_rkey) AS child_rkey,
        arg_max(age_band, referral_date) AS age_band,
        arg_max(gender, referral_date) AS gender,
        bool_or(looked_after) AS looked_after
    FROM referrals
    GROUP BY quarter_start, child_key
),

final AS (
    SELECT
        quarter,
        age_band,
        gender,
        count(*) AS children,
        count_if(looked_after) AS looked_after,
        (sum(child_rkey) % 256)::INTEGER AS children_ckey,
        (coalesce(sum(child_rkey) FILTER (looked_after), 0) % 256)::INTEGER AS looked_after_ckey
    FROM children_in_quarter
    GROUP BY quarter_start, quarter, age_band, gender
    ORDER BY quarter_start, age_band, gender
)

SELECT * FROM final
