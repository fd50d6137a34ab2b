-- How much of each agency's workforce is trained in CSE, by period and training level. The training
-- table has no area, age, gender or source, so only the period filter applies.
WITH training AS (
    SELECT period, quarter_start, agency, level, staff_in_scope, staff_trained
    FROM current_training
    WHERE quarter_start BETWEEN $period_start AND $period_end
),

final AS (
    SELECT period, agency, level, staff_in_scope, staff_trained
    FROM training
    ORDER BY quarter_start, agency, level
)

SELECT * FROM final
