-- Referrals by quarter, age band and gender: "how are referrals spread over age bands for boys and
-- girls, and is that changing?". Beside each count its cell key (docs/disclosure.md): the sum of the referrals'
-- record keys, modulo 256.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

final AS (
    SELECT quarter, age_band, gender, count(*) AS referrals, (sum(referral_rkey) % 256)::INTEGER AS referrals_ckey
    FROM referrals
    GROUP BY quarter_start, quarter, age_band, gender
    ORDER BY quarter_start, age_band, gender
)

SELECT * FROM final
