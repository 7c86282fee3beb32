-- Give the findings of {table} recorded with bare 16-hex-digit ids (which spreadsheets may read as a number) their
-- 'F-' form.
UPDATE {table} SET finding_id = 'F-' || finding_id WHERE regexp_full_match(finding_id, '[0-9a-f]{{16}}')
