-- Zuora catalog rate plans with their product, SKU, deployment (SaaS, SM, Dedicated) and whether the product is a base product.
CREATE OR REPLACE TABLE staging.catalog_rate_plans AS
SELECT
    prp."Id" AS product_rate_plan_id,
    prp."Name" AS product_rate_plan_name,
    prp."EffectiveEndDate" AS product_rate_plan_end_date,
    p."Id" AS product_id,
    p."Name" AS product_name,
    p."SKU" AS product_sku,
    p."ProductTier__c" AS product_tier,
    CASE p."ProductDeployment__c"
        WHEN 'GitLab.com' THEN 'SaaS'
        WHEN 'Self-Managed' THEN 'SM'
        WHEN 'Dedicated' THEN 'Dedicated'
    END AS deployment,
    coalesce(
        ends_with(trim(p."ProductTier__c"), '- Premium') OR ends_with(trim(p."ProductTier__c"), '- Ultimate'),
        false
    ) AS is_base
FROM raw_zuora.productrateplan AS prp
LEFT JOIN raw_zuora.product AS p ON p."Id" = prp."ProductId";
