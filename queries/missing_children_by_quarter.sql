-- Children who went missing, and their episodes, in each quarter and in the whole period (a child missing in
-- several quarters counts once in the period). With $referred_only, only children with a CSE referral matching
-- the shared filters. Beside each count its cell key (docs/disclosure.md): the record keys of its episodes, or of its
-- distinct children, summed modulo 256.
WITH episodes AS (
    SELECT child_key, child_rkey, episode_rkey, quarter_start, quarter
    FROM filtered_missing_episodes($period_start, $period_end, $areas, $sources, $age_bands, $genders, $referred_only)
),

-- Episodes are counted straight from their rows, apart from the children: carrying the episode counts through the
-- per-child groups made the query 1.5-1.7 times as slow as it was before cell keys (docs/benchmarks.md).
episode_counts AS (
    SELECT
        quarter_start IS NULL AS whole_period,
        coalesce(quarter_start, DATE '0001-01-01') AS period_key,
        any_value(quarter) AS quarter,
        count(*) AS episodes,
        sum(episode_rkey) AS episodes_ckey
    FROM episodes
    GROUP BY GROUPING SETS ((quarter_start), ())
),

-- One row per child per quarter they went missing in, and one per child for the whole period. A child has one record
-- key, so grouping on it as well as on the child changes no group and needs no aggregate.
children AS (
    SELECT quarter_start, child_rkey
    FROM episodes
    GROUP BY GROUPING SETS ((quarter_start, child_key, child_rkey), (child_key, child_rkey))
),

child_counts AS (
    SELECT coalesce(quarter_start, DATE '0001-01-01') AS period_key, count(*) AS children, sum(child_rkey) AS children_ckey
    FROM children
    GROUP BY quarter_start
),

final AS (
    SELECT
        CASE WHEN NOT e.whole_period THEN e.quarter END AS quarter,
        e.whole_period,
        e.episodes,
        c.children,
        (e.episodes_ckey % 256)::INTEGER AS episodes_ckey,
        (c.children_ckey % 256)::INTEGER AS children_ckey
    FROM episode_counts AS e
    JOIN child_counts AS c USING (period_key)
    ORDER BY e.whole_period, period_key
)

SELECT * FROM final
