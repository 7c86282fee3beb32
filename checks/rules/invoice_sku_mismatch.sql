-- rule: invoice_sku_mismatch
-- order: 25
-- category: catalog
-- severity: low
-- subject: invoice item id
-- examines: items of Posted invoices dated within 365 days before D whose ProductRatePlanChargeId belongs to a
--    catalog product
-- finding: item on a Posted invoice dated within 365 days before D whose ProductRatePlanChargeId belongs to a catalog
--    product whose SKU differs from the item's SKU
-- summary: Zuora invoice {invoice_number} bills SKU {zuora[SKU]} for {zuora[ChargeName]}; the catalog product
--    {zuora[product]} has SKU {zuora[catalog_sku]}
-- action: correct the catalog or the invoice template
SELECT
    i.invoice_item_id AS subject_id,
    c.product_sku IS NOT NULL AND i.sku IS DISTINCT FROM c.product_sku AS failed,
    i.account_number AS zuora_account_number,
    i.subscription_name,
    i.sf_account_id,
    i.invoice_number,
    to_json({
        'zuora': {
            'InvoiceNumber': i.invoice_number,
            'InvoiceDate': i.invoice_date,
            'InvoiceItemId': i.invoice_item_id,
            'ChargeName': i.charge_name,
            'SKU': i.sku,
            'ProductRatePlanChargeId': i.product_rate_plan_charge_id,
            'product': c.product_name,
            'catalog_sku': c.product_sku
        }
    }) AS evidence
FROM staging.posted_invoice_items AS i
JOIN raw_zuora.productrateplancharge AS prpc ON staging.text(prpc."Id") = i.product_rate_plan_charge_id
JOIN staging.catalog_rate_plans AS c ON c.product_rate_plan_id = staging.text(prpc."ProductRatePlanId")
CROSS JOIN audit.params AS p
WHERE c.product_id IS NOT NULL
AND i.invoice_date >= p.as_of - 365
AND i.invoice_date <= p.as_of
