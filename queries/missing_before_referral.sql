-- Of the children referred in each quarter (matching the shared filters), how many had a missing episode that
-- started in the $days_before days up to a referral, by gender and for all children.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

missing_episodes AS (
    SELECT child_id, start_date FROM current_missing_episodes
),

children_in_quarter AS (
    SELECT
        r.quarter_start,
        any_value(r.quarter) AS quarter,
        r.child_id,
        arg_max(r.gender, r.referral_date) AS gender,
        bool_or(m.child_id IS NOT NULL) AS missing_before_referral
    FROM referrals AS r
    LEFT JOIN missing_episodes AS m
        ON m.child_id = r.child_id AND m.start_date BETWEEN r.referral_date - $days_before AND r.referral_date
    GROUP BY r.quarter_start, r.child_id
),

final AS (
    SELECT
        quarter,
        gender,
        grouping(gender) > 0 AS all_genders,
        count(*) AS children,
        count_if(missing_before_referral)::BIGINT AS children_missing_before
    FROM children_in_quarter
    GROUP BY GROUPING SETS ((quarter_start, quarter, gender), (quarter_start, quarter))
    ORDER BY quarter_start, all_genders, gender
)

SELECT * FROM final
