-- Several streams in one atomic append (IMultiStreamEventStore): the parts are laid end to end in the arrays, p_counts
-- says how many events each part has. A conflict raises (SQLSTATE TK409, the stream and its version in the message),
-- so the whole statement, and every part, is rolled back.
CREATE FUNCTION tk_append_events_many(
    p_stream_ids text[], p_expected_versions bigint[], p_counts integer[], p_recorded_at timestamptz,
    p_event_ids uuid[], p_event_types text[], p_schema_versions integer[], p_occurred_at timestamptz[],
    p_correlation_ids uuid[], p_causation_ids uuid[], p_dedup_keys text[], p_payloads jsonb[])
RETURNS TABLE (part integer, stream_version bigint, last_position bigint, appended integer, duplicates integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_from integer := 1;
    v_to   integer;
    r      record;
BEGIN
    FOR i IN 1 .. coalesce(cardinality(p_stream_ids), 0) LOOP
        v_to := v_from + p_counts[i] - 1;
        SELECT * INTO r FROM tk_append_events(p_stream_ids[i], p_expected_versions[i], p_recorded_at,
            p_event_ids[v_from:v_to], p_event_types[v_from:v_to], p_schema_versions[v_from:v_to], p_occurred_at[v_from:v_to],
            p_correlation_ids[v_from:v_to], p_causation_ids[v_from:v_to], p_dedup_keys[v_from:v_to], p_payloads[v_from:v_to]);
        IF r.conflict THEN
            -- The message carries the stream and its version (drivers may redact the detail field): conflict|<version>|<stream>.
            RAISE EXCEPTION USING ERRCODE = 'TK409', MESSAGE = 'conflict|' || r.stream_version::text || '|' || p_stream_ids[i];
        END IF;
        part := i; stream_version := r.stream_version; last_position := r.last_position; appended := r.appended; duplicates := r.duplicates;
        RETURN NEXT;
        v_from := v_to + 1;
    END LOOP;
END
$$;
