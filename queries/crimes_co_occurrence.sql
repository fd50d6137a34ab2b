-- Which linked crimes are recorded together on one referral, and which vulnerabilities are recorded alongside each
-- crime: the number of referrals (matching the shared filters) recording both, and its cell key (docs/disclosure.md).
WITH referrals AS (
    SELECT linked_crimes, vulnerabilities, referral_rkey
    FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

-- Referrals recording the same lists counted once: a few thousand combinations instead of a row per referral,
-- so the unnesting and the pairing below run on the combinations, weighted by their referrals.
combinations AS (
    SELECT
        row_number() OVER () AS combination,
        list_distinct(linked_crimes) AS crimes,
        list_distinct(vulnerabilities) AS vulnerabilities,
        referrals,
        ckey
    FROM (
        SELECT linked_crimes, vulnerabilities, count(*) AS referrals, sum(referral_rkey) AS ckey
        FROM referrals
        WHERE len(linked_crimes) > 0
        GROUP BY linked_crimes, vulnerabilities
    ) AS lists
),

crimes AS (
    SELECT combination, referrals, ckey, unnest(crimes) AS crime FROM combinations
),

vulnerabilities AS (
    SELECT combination, unnest(vulnerabilities) AS vulnerability FROM combinations
),

pairs AS (
    SELECT a.crime, 'crime' AS kind, b.crime AS item, a.referrals, a.ckey
    FROM crimes AS a JOIN crimes AS b ON a.combination = b.combination AND a.crime <> b.crime
    UNION ALL
    SELECT c.crime, 'vulnerability' AS kind, v.vulnerability AS item, c.referrals, c.ckey
    FROM crimes AS c JOIN vulnerabilities AS v USING (combination)
),

final AS (
    SELECT crime, kind, item, sum(referrals)::BIGINT AS referrals, (sum(ckey) % 256)::INTEGER AS referrals_ckey
    FROM pairs
    GROUP BY crime, kind, item
    ORDER BY kind, crime, item
)

SELECT * FROM final
