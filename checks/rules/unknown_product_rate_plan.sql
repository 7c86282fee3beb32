-- rule: unknown_product_rate_plan
-- order: 23
-- category: catalog
-- severity: medium
-- subject: order id
-- examines: active orders
-- finding: active order whose product_rate_plan_id is no Zuora ProductRatePlan
-- summary: CustomersDot order {order_id} is on product_rate_plan_id {customersdot[product_rate_plan_id]}, which is
--    not in the Zuora catalog
-- action: map the order to a catalog rate plan (catalog drift)
-- scorecard: Paid Order Product Rate Plan Misaligned with Zuora
-- scorecard rank: 3
SELECT
    o.id::VARCHAR AS subject_id,
    NOT EXISTS (
        SELECT 1 FROM raw_zuora.productrateplan AS c WHERE staging.text(c."Id") = o.product_rate_plan_id
    ) AS failed,
    finding_keys.*,
    to_json({'customersdot': o.order_evidence, 'zuora': {'product_rate_plan': NULL}}) AS evidence
FROM staging.order_subjects AS o
