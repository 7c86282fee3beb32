-- Scalar macros of the common definitions: compared text values, half-open date ranges and Salesforce id normalisation.
CREATE SCHEMA IF NOT EXISTS staging;

-- A text value as the catalogue compares it: surrounding whitespace (spaces, tabs, line breaks) removed, and a
-- blank string empty (NULL). A value whose first and last characters are beyond the space (most of them) is
-- returned as it is, without the costly trim of a character set.
CREATE OR REPLACE MACRO staging.text(x) AS CASE
    WHEN ascii(x) > 32 AND ascii(x[-1]) > 32 THEN x
    ELSE nullif(trim(x, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '')
END;

-- In effect on d: start <= d and (end empty or d < end).
CREATE OR REPLACE MACRO staging.in_effect(start_date, end_date, d) AS
    coalesce(start_date <= d AND (end_date IS NULL OR d < end_date), false);

-- A whole Salesforce id of 15 characters, or of 18 (15 and a 3-character suffix).
CREATE OR REPLACE MACRO staging.sf_is_id(x) AS regexp_full_match(x, '[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?');

-- One character of the 18-character suffix: a 5-bit mask of the uppercase letters of the 5 characters of id
-- from position start.
CREATE OR REPLACE MACRO staging.sf_checksum_char(id, start) AS substr(
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
    1
        + (substr(id, start, 1) BETWEEN 'A' AND 'Z')::INTEGER
        + (substr(id, start + 1, 1) BETWEEN 'A' AND 'Z')::INTEGER * 2
        + (substr(id, start + 2, 1) BETWEEN 'A' AND 'Z')::INTEGER * 4
        + (substr(id, start + 3, 1) BETWEEN 'A' AND 'Z')::INTEGER * 8
        + (substr(id, start + 4, 1) BETWEEN 'A' AND 'Z')::INTEGER * 16,
    1
);

-- The 18-character form of an id (staging.sf_is_id): its first 15 characters and their case-checksum suffix.
CREATE OR REPLACE MACRO staging.sf_suffixed(id) AS
    left(id, 15) || staging.sf_checksum_char(id, 1) || staging.sf_checksum_char(id, 6)
        || staging.sf_checksum_char(id, 11);

-- The 15- or 18-character id in x (trimmed): x itself, or the id inside a URL (https://….salesforce.com/006…); NULL
-- when x holds none.
CREATE OR REPLACE MACRO staging.sf_id_in(x) AS
    nullif(regexp_extract(staging.text(x), '(?:^|[/=])([a-zA-Z0-9]{18}|[a-zA-Z0-9]{15})(?:[/?#&]|$)', 1), '');

-- The 18-character Salesforce id named by x (an id of 15 or 18 characters, or a URL holding one): its first 15
-- characters and their case-checksum suffix; anything else is returned trimmed. An x that is an id as it stands (most
-- of them) takes the short way, without trimming and extracting.
CREATE OR REPLACE MACRO staging.sf_id18(x) AS CASE
    WHEN staging.sf_is_id(x) THEN staging.sf_suffixed(x)
    ELSE coalesce(list_transform([staging.sf_id_in(x)], lambda id: staging.sf_suffixed(id))[1], staging.text(x))
END;

-- The 15-character (case-sensitive) Salesforce id named by x, as staging.sf_id18 names it: equal for two values exactly
-- when their 18-character forms are, and cheaper, for ids that are matched but never shown.
CREATE OR REPLACE MACRO staging.sf_id15(x) AS CASE
    WHEN staging.sf_is_id(x) THEN left(x, 15)
    ELSE coalesce(left(staging.sf_id_in(x), 15), staging.text(x))
END;

-- The evidence of a record, built from its row (the relation's alias as a struct) where a rule quotes it, so that
-- only the failed subjects' evidence is ever built: a latest subscription (staging.latest_subscriptions), an order
-- (staging.orders) and a license (staging.licenses).
CREATE OR REPLACE MACRO staging.zuora_evidence(s) AS {
    'subscription_id': s.subscription_id,
    'Version': s.version,
    'Status': s.status,
    'TermType': s.term_type,
    'TermStartDate': s.term_start_date,
    'TermEndDate': s.term_end_date,
    'SubscriptionEndDate': s.subscription_end_date,
    'end': s.end_date,
    'in_force': s.in_force,
    'deployment': s.deployment,
    'base_plans': s.base_plans,
    'seats': s.seats
};

CREATE OR REPLACE MACRO staging.order_evidence(o) AS {
    'id': o.id,
    'subscription_name': o.subscription_name,
    'subscription_id': o.subscription_id,
    'product_rate_plan_id': o.product_rate_plan_id,
    'quantity': o.quantity,
    'start_date': o.start_date,
    'end_date': o.end_date,
    'gl_namespace_id': o.gl_namespace_id,
    'trial': o.trial
};

CREATE OR REPLACE MACRO staging.license_evidence(l) AS {
    'id': l.id,
    'zuora_subscription_name': l.zuora_subscription_name,
    'zuora_subscription_id': l.zuora_subscription_id,
    'users_count': l.users_count,
    'plan_code': l.plan_code,
    'starts_at': l.starts_at,
    'expires_at': l.expires_at
};
