-- Of the children referred in each quarter (matching the shared filters), how many had a missing episode that
-- started in the $days_before days up to a referral, by gender and for all children. Beside each count its cell key
-- (docs/disclosure.md): the record keys of its distinct children, summed modulo 256.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

-- One row per child per quarter they were referred in, with their latest recorded gender. days_since_missing (for
-- look-backs of up to 365 days) and child_quarter_referrals are kept at load (cseboard.store): a child with one
-- referral in the quarter is taken as it is, only the others are grouped.
children_in_quarter AS (
    SELECT
        quarter_start,
        quarter,
        gender,
        child_rkey,
        coalesce(days_since_missing <= $days_before, false) AS missing_before_referral
    FROM referrals
    WHERE child_quarter_referrals = 1
    UNION ALL
    SELECT
        quarter_start,
        any_value(quarter),
        arg_max(gender, referral_date),
        any_value(child_rkey),
        coalesce(bool_or(days_since_missing <= $days_before), false)
    FROM referrals
    WHERE child_quarter_referrals > 1
    GROUP BY quarter_start, child_key
),

final AS (
    SELECT
        quarter,
        gender,
        grouping(gender) > 0 AS all_genders,
        count(*) AS children,
        count_if(missing_before_referral)::BIGINT AS children_missing_before,
        (sum(child_rkey) % 256)::INTEGER AS children_ckey,
        (coalesce(sum(child_rkey) FILTER (missing_before_referral), 0) % 256)::INTEGER AS children_missing_before_ckey
    FROM children_in_quarter
    GROUP BY GROUPING SETS ((quarter_start, quarter, gender), (quarter_start, quarter))
    ORDER BY quarter_start, all_genders, gender
)

SELECT * FROM final
