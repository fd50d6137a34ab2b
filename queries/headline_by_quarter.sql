-- Headline figures per quarter: referrals, children, boys, children missing in the 90 days
-- before referral, high-risk referrals and workforce training, for the home page's
-- "this quarter against last quarter and the same quarter a year before". Beside each count of referrals or children
-- its cell key (docs/disclosure.md): the record keys of its referrals, or of its distinct children, summed modulo 256.
-- The key sum of a part (high-risk referrals, boys...) adds each record's key times 1 or 0 for "in the part": cheaper
-- than sum(...) FILTER (...) (docs/benchmarks.md). The quarter's label is made from its date once the rows are grouped
-- (as the store makes it at load), rather than carried through every row. Staff counts are not of children.
WITH referrals AS (
    SELECT * FROM filtered_referrals($period_start, $period_end, $areas, $sources, $age_bands, $genders)
),

training AS (
    SELECT quarter_start, sum(staff_trained) AS staff_trained, sum(staff_in_scope) AS staff_in_scope
    FROM current_training
    WHERE quarter_start BETWEEN $period_start AND $period_end
    GROUP BY quarter_start
),

-- One row per child per quarter they were referred in. days_since_missing and child_quarter_referrals are kept at
-- load (cseboard.store): a child with one referral in the quarter is taken as it is, only the others are grouped.
-- A child has one record key, so it is grouped on too: no group changes, and no aggregate is needed for it.
children_in_quarter AS (
    SELECT
        quarter_start,
        child_rkey,
        gender = 'Male' AS is_boy,
        coalesce(days_since_missing <= 90, false) AS missing_before_referral
    FROM referrals
    WHERE child_quarter_referrals = 1
    UNION ALL
    SELECT
        quarter_start,
        child_rkey,
        bool_or(gender = 'Male'),
        coalesce(bool_or(days_since_missing <= 90), false)
    FROM referrals
    WHERE child_quarter_referrals > 1
    GROUP BY quarter_start, child_key, child_rkey
),

referrals_by_quarter AS (
    SELECT
        quarter_start,
        count(*) AS referrals,
        count_if(risk_level = 'High') AS high_risk_referrals,
        (sum(referral_rkey) % 256)::INTEGER AS referrals_ckey,
        (sum(referral_rkey * (risk_level = 'High')::UTINYINT) % 256)::INTEGER AS high_risk_referrals_ckey
    FROM referrals
    GROUP BY quarter_start
),

children_by_quarter AS (
    SELECT
        quarter_start,
        count(*) AS children,
        count_if(is_boy) AS boys,
        count_if(missing_before_referral) AS children_missing_before_referral,
        (sum(child_rkey) % 256)::INTEGER AS children_ckey,
        (sum(child_rkey * is_boy::UTINYINT) % 256)::INTEGER AS boys_ckey,
        (sum(child_rkey * missing_before_referral::UTINYINT) % 256)::INTEGER AS children_missing_before_referral_ckey
    FROM children_in_quarter
    GROUP BY quarter_start
),

final AS (
    SELECT
        year(r.quarter_start) || '-Q' || quarter(r.quarter_start) AS quarter,
        r.referrals,
        c.children,
        c.boys,
        c.children_missing_before_referral,
        r.high_risk_referrals,
        t.staff_trained,
        t.staff_in_scope,
        r.referrals_ckey,
        c.children_ckey,
        c.boys_ckey,
        c.children_missing_before_referral_ckey,
        r.high_risk_referrals_ckey
    FROM referrals_by_quarter AS r
    JOIN children_by_quarter AS c USING (quarter_start)
    LEFT JOIN training AS t USING (quarter_start)
    ORDER BY r.quarter_start
)

SELECT * FROM final
