-- Scalar macros of the common definitions: compared text values, half-open date ranges and Salesforce id normalisation.
CREATE SCHEMA IF NOT EXISTS staging;

-- A text value as the catalogue compares it: surrounding whitespace (spaces, tabs, line breaks) removed, and a
-- blank string empty (NULL).
CREATE OR REPLACE MACRO staging.text(x) AS
    nullif(trim(x, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)), '');

-- In effect on d: start <= d and (end empty or d < end).
CREATE OR REPLACE MACRO staging.in_effect(start_date, end_date, d) AS
    coalesce(start_date <= d AND (end_date IS NULL OR d < end_date), false);

-- One character of the 18-character suffix: a 5-bit mask of the uppercase letters of a 5-character chunk.
CREATE OR REPLACE MACRO staging.sf_checksum_char(chunk) AS substr(
    'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
    (1 + list_sum(list_transform(
        range(5), lambda i: CASE WHEN substr(chunk, i + 1, 1) BETWEEN 'A' AND 'Z' THEN 1 << i ELSE 0 END
    )))::INTEGER,
    1
);

-- The id in x: x itself, or the 15- or 18-character id inside a URL (https://….salesforce.com/006…).
CREATE OR REPLACE MACRO staging.sf_extract_id(x) AS coalesce(
    nullif(regexp_extract(staging.text(x), '(?:^|[/=])([a-zA-Z0-9]{18}|[a-zA-Z0-9]{15})(?:[/?#&]|$)', 1), ''),
    staging.text(x)
);

-- The 18-character Salesforce id named by x (an id of 15 or 18 characters, or a URL holding one): its first
-- 15 characters and their case-checksum suffix; anything else is returned trimmed.
CREATE OR REPLACE MACRO staging.sf_id18(x) AS list_transform(
    [staging.sf_extract_id(x)],
    lambda id: CASE
        WHEN regexp_full_match(id, '[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?')
            THEN left(id, 15)
                || staging.sf_checksum_char(substr(id, 1, 5))
                || staging.sf_checksum_char(substr(id, 6, 5))
                || staging.sf_checksum_char(substr(id, 11, 5))
        ELSE id
    END
)[1];
