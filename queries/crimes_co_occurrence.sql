-- Which linked crimes are recorded together on one referral, and which vulnerabilities are recorded alongside each
-- crime: the number of referrals (matching the shared filters) recording both.
WITH referrals AS (
    SELECT referral_id, linked_crimes, vulnerabilities
    FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

crimes AS (
    SELECT referral_id, unnest(list_distinct(linked_crimes)) AS crime FROM referrals
),

vulnerabilities AS (
    SELECT referral_id, unnest(list_distinct(vulnerabilities)) AS vulnerability FROM referrals
),

pairs AS (
    SELECT a.crime, 'crime' AS kind, b.crime AS item
    FROM crimes AS a JOIN crimes AS b ON a.referral_id = b.referral_id AND a.crime <> b.crime
    UNION ALL
    SELECT c.crime, 'vulnerability' AS kind, v.vulnerability AS item
    FROM crimes AS c JOIN vulnerabilities AS v USING (referral_id)
),

final AS (
    SELECT crime, kind, item, count(*) AS referrals
    FROM pairs
    GROUP BY crime, kind, item
    ORDER BY kind, crime, item
)

SELECT * FROM final
