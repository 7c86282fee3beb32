-- rule: seat_count_mismatch
-- order: 7
-- category: provisioning
-- severity: high
-- subject: order id
-- examines: active orders of subscriptions in force on a base rate plan of the latest version
-- finding: active order of a subscription in force, on a base rate plan P of its latest version, with quantity !=
--    Seats(S, P)
-- summary: Zuora {subscription_name} has {zuora[plan_seats]} seats of {zuora[plan]}; CustomersDot order {order_id}
--    has {customersdot[quantity]}
-- action: re-sync the order; check mid-term add-on seats
-- scorecard: Paid Order Seat Count Misaligned with Zuora
-- scorecard rank: 4
SELECT
    o.id::VARCHAR AS subject_id,
    o.quantity IS DISTINCT FROM seats.seats AS failed,
    finding_keys.*,
    to_json({
        'zuora': struct_insert(
            o.zuora_evidence,
            product_rate_plan_id := seats.product_rate_plan_id,
            plan := seats.plan_name,
            plan_seats := seats.seats
        ),
        'customersdot': o.order_evidence
    }) AS evidence
FROM staging.order_subjects AS o
JOIN staging.subscription_seats AS seats
    ON seats.subscription_name = o.subscription_name AND seats.product_rate_plan_id = o.product_rate_plan_id
WHERE o.subscription.in_force AND seats.is_base
