-- Referrals by quarter, age band and gender: "how are referrals spread over age bands for boys and
-- girls, and is that changing?".
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

final AS (
    SELECT quarter, age_band, gender, count(*) AS referrals
    FROM referrals
    GROUP BY quarter_start, quarter, age_band, gender
    ORDER BY quarter_start, age_band, gender
)

SELECT * FROM final
