-- Missing episodes that started in each quarter of the period, by how many days the child was missing and what
-- happened about a return interview (accepted ones split by whether it was held within 72 hours of return).
-- With $referred_only, only children with a CSE referral matching the shared filters. Beside the count its cell key
-- (docs/disclosure.md): summed again with the counts, a total's key stays right.
WITH episodes AS (
    SELECT *
    FROM filtered_missing_episodes($period_start, $period_end, $areas, $sources, $age_bands, $genders, $referred_only)
),

described AS (
    SELECT
        quarter_start,
        quarter,
        episode_rkey,
        end_date - start_date AS days_missing,
        return_interview,
        coalesce(return_interview = 'Accepted' AND return_interview_date <= end_date + 3, false)
            AS interviewed_within_72_hours
    FROM episodes
),

final AS (
    SELECT
        quarter,
        days_missing,
        return_interview,
        interviewed_within_72_hours,
        count(*) AS episodes,
        (sum(episode_rkey) % 256)::INTEGER AS episodes_ckey
    FROM described
    GROUP BY quarter_start, quarter, days_missing, return_interview, interviewed_within_72_hours
    ORDER BY quarter_start, days_missing, return_interview, interviewed_within_72_hours
)

SELECT * FROM final
