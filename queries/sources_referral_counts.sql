-- Who refers and what happens next: referrals in the period by quarter, referral source, risk level,
-- outcome and whether the child is a boy, for the referral sources and outcomes page to cross-tabulate. Beside the
-- count its cell key (docs/disclosure.md): summed again with the counts, a total's key stays right.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

final AS (
    SELECT
        quarter,
        referral_source,
        risk_level,
        outcome,
        gender = 'Male' AS is_boy,
        count(*) AS referrals,
        (sum(referral_rkey) % 256)::INTEGER AS referrals_ckey
    FROM referrals
    GROUP BY ALL
    ORDER BY ALL
)

SELECT * FROM final
