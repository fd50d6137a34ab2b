-- Prevention and awareness work in the period, for "whom did it reach, where, and against what plan?": one row per
-- quarter, audience, setting and area (NULL for work not tied to one area, such as online sessions). Only the period
-- and area filters apply: awareness work has no referral source, age band or gender. With areas chosen, work not
-- tied to an area is left out.
WITH awareness AS (
    SELECT period, quarter_start, audience, setting, area, sessions, people_reached, planned_reach
    FROM current_awareness
    WHERE quarter_start BETWEEN $period_start AND $period_end
      AND ($areas IS NULL OR list_contains($areas, area))
),

final AS (
    SELECT period AS quarter, audience, setting, area, sessions, people_reached, planned_reach
    FROM awareness
    ORDER BY quarter_start, audience, setting, area NULLS LAST
)

SELECT * FROM final
