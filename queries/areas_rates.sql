-- Referrals and resident children by area, for "which areas refer more or fewer children per 10,000
-- than the partnership as a whole?". Every area is returned, chosen or not, so the partnership rate
-- covers all of them; the population is summed over the age bands and genders chosen (official
-- estimates have boys and girls only). Beside the count its cell key (docs/disclosure.md).
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, NULL, $sources, $age_bands, $genders)
),

population AS (
    SELECT area, sum(children) AS population
    FROM current_population
    WHERE ($age_bands IS NULL OR list_contains($age_bands, age_band))
      AND ($genders IS NULL OR list_contains($genders, gender))
    GROUP BY area
),

referrals_by_area AS (
    SELECT area, count(*) AS referrals, (sum(referral_rkey) % 256)::INTEGER AS referrals_ckey
    FROM referrals
    GROUP BY area
),

areas AS (
    SELECT area FROM current_referrals
    UNION
    SELECT area FROM current_population
),

final AS (
    SELECT
        a.area,
        coalesce(r.referrals, 0) AS referrals,
        coalesce(r.referrals_ckey, 0) AS referrals_ckey,
        p.population,
        ($areas IS NULL OR list_contains($areas, a.area)) AS chosen
    FROM areas AS a
    LEFT JOIN referrals_by_area AS r USING (area)
    LEFT JOIN population AS p USING (area)
    ORDER BY a.area
)

SELECT * FROM final
