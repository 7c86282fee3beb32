-- Zuora catalog rate plans with their product, SKU, deployment (SaaS, SM, Dedicated) and whether the product is a base product.
CREATE OR REPLACE TABLE staging.catalog_rate_plans AS
WITH products AS (
    SELECT
        staging.text("Id") AS product_id,
        "Name" AS product_name,
        staging.text("SKU") AS product_sku,
        staging.text("ProductTier__c") AS product_tier,
        staging.text("ProductDeployment__c") AS product_deployment
    FROM raw_zuora.product
)
SELECT
    staging.text(prp."Id") AS product_rate_plan_id,
    prp."Name" AS product_rate_plan_name,
    prp."EffectiveEndDate" AS product_rate_plan_end_date,
    p.product_id,
    p.product_name,
    p.product_sku,
    p.product_tier,
    CASE p.product_deployment
        WHEN 'GitLab.com' THEN 'SaaS'
        WHEN 'Self-Managed' THEN 'SM'
        WHEN 'Dedicated' THEN 'Dedicated'
    END AS deployment,
    coalesce(ends_with(p.product_tier, '- Premium') OR ends_with(p.product_tier, '- Ultimate'), false) AS is_base
FROM raw_zuora.productrateplan AS prp
LEFT JOIN products AS p ON p.product_id = staging.text(prp."ProductId");
