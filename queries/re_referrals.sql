-- Referrals in the period and how many were re-referrals, by gender: "how many children are referred
-- again within 12 months of a previous referral?", as DfE's children in need statistics count them (a
-- referral within 365 days of the child's previous referral, whatever that referral's area or source).
-- Beside each count its cell key (docs/disclosure.md): the record keys of its referrals, summed modulo 256.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

-- Only a child with more than one current referral (child_referrals, kept up to date at load) has a previous one,
-- and only one dated in the period or the 365 days before it can make a referral in the period a re-referral.
with_previous AS (
    SELECT
        referral_id,
        quarter_start,
        referral_date - lag(referral_date) OVER (PARTITION BY child_key ORDER BY referral_date, referral_id)
            AS days_since_previous
    FROM current_referrals
    WHERE child_referrals > 1 AND quarter_start <= $period_end AND referral_date >= $period_start::DATE - 365
),

final AS (
    SELECT
        r.gender,
        count(*) AS referrals,
        count_if(p.days_since_previous <= 365) AS re_referrals,
        (sum(r.referral_rkey) % 256)::INTEGER AS referrals_ckey,
        (coalesce(sum(r.referral_rkey) FILTER (p.days_since_previous <= 365), 0) % 256)::INTEGER AS re_referrals_ckey
    FROM referrals AS r
    LEFT JOIN with_previous AS p USING (referral_id, quarter_start)
    GROUP BY r.gender
    ORDER BY r.gender
)

SELECT * FROM final
