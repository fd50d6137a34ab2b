-- How many children went missing once, twice, three times... in the period (three or more is "repeat missing").
-- With $referred_only, only children with a CSE referral matching the shared filters. Beside the count its cell key
-- (docs/disclosure.md): the children's record keys summed, modulo 256; each child is in one row, so the keys of
-- rows added together are the keys of their children.
WITH episodes AS (
    SELECT child_key, child_rkey
    FROM filtered_missing_episodes($period_start, $period_end, $areas, $sources, $age_bands, $genders, $referred_only)
),

-- A child has one record key, so it is grouped on too: no group changes, and no aggregate is needed for it (cheaper
-- than any_value(child_rkey), docs/benchmarks.md).
episodes_per_child AS (
    SELECT child_key, child_rkey, count(*) AS episodes_in_period
    FROM episodes
    GROUP BY child_key, child_rkey
),

final AS (
    SELECT episodes_in_period, count(*) AS children, (sum(child_rkey) % 256)::INTEGER AS children_ckey
    FROM episodes_per_child
    GROUP BY episodes_in_period
    ORDER BY episodes_in_period
)

SELECT * FROM final
