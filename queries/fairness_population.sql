-- Children resident by gender, ethnicity and age band, in the areas, age bands and genders chosen: the
-- population side of "who is not being identified?". Ethnicity is counted only from rows that give one
-- (the population table has it on every row or on none). The referral source filter has no population.
WITH population AS (
    SELECT gender, ethnicity, age_band, children
    FROM current_population
    WHERE ($areas IS NULL OR list_contains($areas, area))
      AND ($age_bands IS NULL OR list_contains($age_bands, age_band))
      AND ($genders IS NULL OR list_contains($genders, gender))
),

by_group AS (
    SELECT 'gender' AS dimension, gender AS "group", sum(children) AS population FROM population GROUP BY gender
    UNION ALL
    SELECT 'ethnicity', ethnicity, sum(children) FROM population WHERE ethnicity IS NOT NULL GROUP BY ethnicity
    UNION ALL
    SELECT 'age_band', age_band, sum(children) FROM population GROUP BY age_band
),

final AS (
    SELECT dimension, "group", population FROM by_group ORDER BY dimension, "group"
)

SELECT * FROM final
