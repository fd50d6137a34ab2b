-- Children who went missing, and their episodes, in each quarter and in the whole period (a child missing in
-- several quarters counts once in the period). With $referred_only, only children with a CSE referral matching
-- the shared filters. Beside each count its cell key (docs/disclosure.md): the record keys of its episodes, or of its
-- distinct children, summed modulo 256.
WITH episodes AS (
    SELECT child_key, child_rkey, episode_rkey, quarter_start, quarter
    FROM filtered_missing_episodes($period_start, $period_end, $areas, $sources, $age_bands, $genders, $referred_only)
),

-- One row per child per quarter they went missing in, and one per child for the whole period.
children AS (
    SELECT quarter_start, quarter, child_key, any_value(child_rkey) AS child_rkey,
           count(*) AS episodes, sum(episode_rkey) AS episodes_ckey
    FROM episodes
    GROUP BY GROUPING SETS ((quarter_start, quarter, child_key), (child_key))
),

final AS (
    SELECT
        quarter,
        quarter_start IS NULL AS whole_period,
        sum(episodes)::BIGINT AS episodes,
        count(*) AS children,
        (sum(episodes_ckey) % 256)::INTEGER AS episodes_ckey,
        (sum(child_rkey) % 256)::INTEGER AS children_ckey
    FROM children
    GROUP BY quarter_start, quarter
    ORDER BY whole_period, quarter_start
)

SELECT * FROM final
