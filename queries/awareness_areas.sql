-- Children living in each area (all ages and genders, from the population table loaded most recently), for
-- "how many children and young people did awareness work reach per 10,000 children in the area?". Every area known
-- to the referrals, the population or the awareness work is listed, with whether the area filter chose it.
WITH population AS (
    SELECT area, sum(children) AS children
    FROM current_population
    GROUP BY area
),

areas AS (
    SELECT area FROM current_referrals
    UNION
    SELECT area FROM current_population
    UNION
    SELECT area FROM current_awareness WHERE area IS NOT NULL
),

final AS (
    SELECT
        a.area,
        p.children,
        ($areas IS NULL OR list_contains($areas, a.area)) AS chosen
    FROM areas AS a
    LEFT JOIN population AS p USING (area)
    ORDER BY a.area
)

SELECT * FROM final
