-- Seeded faults of the sandbox CustomersDot database. The tables live in schema `store`; the reader sees
-- views in `public` whose filter calls sandbox.gate(table) on every row. The first row of each read (one
-- table in one transaction) takes the next read number from a counter file (reads run in read-only
-- transactions, which may not write to tables or sequences); at row {fault_row} the read's planned fault
-- strikes: its connection is terminated, it sleeps past any statement timeout, or it asks for a restart.
CREATE SCHEMA sandbox;
CREATE TABLE sandbox.planned_faults (read_no integer PRIMARY KEY, fault text NOT NULL);
CREATE FUNCTION sandbox.gate(tab text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE
    read_key text := tab || ' ' || pg_backend_pid() || ' ' || transaction_timestamp();
    counter text := current_setting('data_directory') || '/lnr_sandbox_reads_' || current_database();
    this_read integer;
    row_no integer;
    planned text;
BEGIN
    IF current_setting('sandbox.read', true) IS DISTINCT FROM read_key THEN
        this_read := coalesce(nullif(trim(pg_read_file(counter, 0, 32, true)), '')::integer, 0) + 1;
        EXECUTE format('COPY (SELECT %s) TO %L', this_read, counter);
        SELECT f.fault INTO planned FROM sandbox.planned_faults f WHERE f.read_no = this_read;
        PERFORM set_config('sandbox.read', read_key, false);
        PERFORM set_config('sandbox.row', '0', false);
        PERFORM set_config('sandbox.fault', coalesce(planned, ''), false);
    END IF;
    row_no := current_setting('sandbox.row')::integer + 1;
    PERFORM set_config('sandbox.row', row_no::text, false);
    IF row_no = {fault_row} THEN
        planned := current_setting('sandbox.fault');
        IF planned = 'drop' THEN
            PERFORM pg_terminate_backend(pg_backend_pid());
            PERFORM pg_sleep(30);
        ELSIF planned = 'slow' THEN
            PERFORM pg_sleep({slow_seconds});
        ELSIF planned = 'restart' THEN
            PERFORM set_config('application_name', '{restart_marker}', false);
            PERFORM pg_sleep(60);
        END IF;
    END IF;
    RETURN true;
END
$$;
