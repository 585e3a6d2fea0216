-- TradingKit schema, version 1. Applied once, inside a transaction, by PostgresMigrator.

-- The event log. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, and appends go through
-- tk_append_events, which serialises writers so global positions become visible in commit order.
CREATE TABLE event_store (
    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        uuid        NOT NULL,
    stream_id       text        NOT NULL,
    stream_version  bigint      NOT NULL CHECK (stream_version > 0),
    event_type      text        NOT NULL,
    schema_version  integer     NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    correlation_id  uuid        NOT NULL,
    causation_id    uuid        NULL,
    dedup_key       text        NULL,
    payload         jsonb       NOT NULL,
    CONSTRAINT event_store_stream_version_uq UNIQUE (stream_id, stream_version),
    CONSTRAINT event_store_dedup_key_uq UNIQUE (dedup_key)
);
CREATE INDEX event_store_event_id_ix ON event_store (event_id);
CREATE INDEX event_store_correlation_id_ix ON event_store (correlation_id);

CREATE FUNCTION tk_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation', HINT = 'Append a new row instead; the log is the audit trail.';
END
$$;

CREATE TRIGGER event_store_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON event_store
    FOR EACH STATEMENT EXECUTE FUNCTION tk_refuse_change();

-- Appends a batch to one stream in one call: drops events whose dedup key is stored (or repeated in the batch),
-- checks the expected version (-1 = any) unless every event was a duplicate, numbers the rest, and notifies listeners.
CREATE FUNCTION tk_append_events(
    p_stream_id text, p_expected_version bigint, p_recorded_at timestamptz,
    p_event_ids uuid[], p_event_types text[], p_schema_versions integer[], p_occurred_at timestamptz[],
    p_correlation_ids uuid[], p_causation_ids uuid[], p_dedup_keys text[], p_payloads jsonb[])
RETURNS TABLE (conflict boolean, stream_version bigint, last_position bigint, appended integer, duplicates integer)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_count   integer := coalesce(cardinality(p_event_ids), 0);
    v_current bigint := 0;
    v_last    bigint := 0;
    v_new     integer;
BEGIN
    -- One writer at a time: positions are taken and committed in the same order, so a reader that has seen
    -- position n never later finds a smaller one appear.
    PERFORM pg_advisory_xact_lock(7310001);

    SELECT e.stream_version, e.global_position INTO v_current, v_last
      FROM event_store e WHERE e.stream_id = p_stream_id
     ORDER BY e.stream_version DESC LIMIT 1;
    v_current := coalesce(v_current, 0);
    v_last := coalesce(v_last, 0);

    IF NOT EXISTS (SELECT 1 FROM unnest(p_dedup_keys) k WHERE k IS NOT NULL) THEN
        v_new := v_count;
    ELSE
        SELECT count(*) INTO v_new
          FROM (SELECT u.key, row_number() OVER (PARTITION BY u.key ORDER BY u.ord) AS rank
                  FROM unnest(p_dedup_keys) WITH ORDINALITY AS u(key, ord)) i
         WHERE i.key IS NULL
            OR (i.rank = 1 AND NOT EXISTS (SELECT 1 FROM event_store s WHERE s.dedup_key = i.key));
    END IF;

    IF v_count > 0 AND v_new = 0 THEN
        RETURN QUERY SELECT false, v_current, v_last, 0, v_count;
        RETURN;
    END IF;

    IF p_expected_version <> -1 AND p_expected_version <> v_current THEN
        RETURN QUERY SELECT true, v_current, 0::bigint, 0, 0;
        RETURN;
    END IF;

    IF v_new = 0 THEN
        RETURN QUERY SELECT false, v_current, v_last, 0, 0;
        RETURN;
    END IF;

    -- unnest walks the arrays once; indexing variable-width arrays element by element would be quadratic.
    WITH inserted AS (
        INSERT INTO event_store (event_id, stream_id, stream_version, event_type, schema_version, occurred_at, recorded_at,
                                 correlation_id, causation_id, dedup_key, payload)
        SELECT f.event_id, p_stream_id, v_current + row_number() OVER (ORDER BY f.ord), f.event_type, f.schema_version, f.occurred_at,
               p_recorded_at, f.correlation_id, f.causation_id, f.dedup_key, f.payload
          FROM (SELECT x.*, row_number() OVER (PARTITION BY x.dedup_key ORDER BY x.ord) AS rank
                  FROM unnest(p_event_ids, p_event_types, p_schema_versions, p_occurred_at, p_correlation_ids, p_causation_ids,
                              p_dedup_keys, p_payloads)
                       WITH ORDINALITY AS x(event_id, event_type, schema_version, occurred_at, correlation_id, causation_id, dedup_key, payload, ord)) f
         WHERE f.dedup_key IS NULL
            OR (f.rank = 1 AND NOT EXISTS (SELECT 1 FROM event_store s WHERE s.dedup_key = f.dedup_key))
         ORDER BY f.ord
        RETURNING event_store.global_position)
    SELECT max(inserted.global_position) INTO v_last FROM inserted;

    PERFORM pg_notify('tk_events', v_last::text);
    RETURN QUERY SELECT false, v_current + v_new, v_last, v_new, v_count - v_new;
END
$$;

-- Commands from operators and UIs; each is claimed by exactly one executor (FOR UPDATE SKIP LOCKED).
CREATE TABLE command_store (
    sequence        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    command_id      uuid        NOT NULL UNIQUE,
    idempotency_key text        NOT NULL UNIQUE,
    command_type    text        NOT NULL,
    payload         jsonb       NOT NULL,
    actor           text        NOT NULL,
    issued_at       timestamptz NOT NULL,
    correlation_id  uuid        NOT NULL,
    status          text        NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'SENT', 'ACK', 'FAILED')),
    inserted_at     timestamptz NOT NULL,
    claimed_by      text        NULL,
    claimed_at      timestamptz NULL,
    completed_at    timestamptz NULL,
    result          text        NULL
);
CREATE INDEX command_store_new_ix ON command_store (sequence) WHERE status = 'NEW';

CREATE FUNCTION tk_notify_commands() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tk_commands', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER command_store_notify AFTER INSERT ON command_store
    FOR EACH STATEMENT EXECUTE FUNCTION tk_notify_commands();

-- Seed 002's stock_locks: one row per locked symbol; expired when heartbeat_at + ttl <= now (the caller's clock).
CREATE TABLE symbol_locks (
    symbol       text        PRIMARY KEY,
    worker_id    text        NOT NULL,
    locked_at    timestamptz NOT NULL,
    ttl          interval    NOT NULL CHECK (ttl > interval '0'),
    heartbeat_at timestamptz NOT NULL
);
CREATE INDEX symbol_locks_worker_ix ON symbol_locks (worker_id);

CREATE TABLE workers (
    worker_id      text        PRIMARY KEY,
    state          text        NOT NULL,
    current_symbol text        NULL,
    registered_at  timestamptz NOT NULL,
    heartbeat_at   timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

-- Kill switch and engine mode: append-only, the row with the highest sequence wins.
CREATE TABLE control_state (
    sequence       bigint      PRIMARY KEY,
    kill_switch_on boolean     NOT NULL,
    engine_mode    text        NULL,
    reason         text        NOT NULL,
    actor          text        NOT NULL,
    changed_at     timestamptz NOT NULL
);

CREATE TRIGGER control_state_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON control_state
    FOR EACH STATEMENT EXECUTE FUNCTION tk_refuse_change();

-- Writes a new control state row carrying the unchanged field over; writes nothing when nothing would change.
-- A null p_kill_switch_on or p_engine_mode means "keep".
CREATE FUNCTION tk_change_control_state(p_kill_switch_on boolean, p_engine_mode text, p_reason text, p_actor text, p_at timestamptz)
RETURNS TABLE (changed boolean, sequence bigint, kill_switch_on boolean, engine_mode text, reason text, actor text, changed_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    cur control_state%ROWTYPE;
BEGIN
    PERFORM pg_advisory_xact_lock(7310002);
    SELECT * INTO cur FROM control_state c ORDER BY c.sequence DESC LIMIT 1;
    IF NOT FOUND THEN
        cur.sequence := 0; cur.kill_switch_on := true; cur.engine_mode := NULL;
        cur.reason := 'no control state recorded yet'; cur.actor := 'system'; cur.changed_at := '-infinity';
    END IF;

    IF (p_kill_switch_on IS NULL OR p_kill_switch_on = cur.kill_switch_on)
       AND (p_engine_mode IS NULL OR p_engine_mode IS NOT DISTINCT FROM cur.engine_mode) THEN
        RETURN QUERY SELECT false, cur.sequence, cur.kill_switch_on, cur.engine_mode, cur.reason, cur.actor, cur.changed_at;
        RETURN;
    END IF;

    INSERT INTO control_state (sequence, kill_switch_on, engine_mode, reason, actor, changed_at)
    VALUES (cur.sequence + 1, coalesce(p_kill_switch_on, cur.kill_switch_on), coalesce(p_engine_mode, cur.engine_mode), p_reason, p_actor, p_at);
    PERFORM pg_notify('tk_control_state', (cur.sequence + 1)::text);
    RETURN QUERY SELECT true, cur.sequence + 1, coalesce(p_kill_switch_on, cur.kill_switch_on), coalesce(p_engine_mode, cur.engine_mode),
                        p_reason, p_actor, p_at;
END
$$;

-- Versioned configuration (seed 003): every put is a new version; the value's JSON text is kept as written.
CREATE TABLE config_store (
    key        text        NOT NULL,
    version    bigint      NOT NULL CHECK (version > 0),
    value      json        NOT NULL,
    actor      text        NOT NULL,
    changed_at timestamptz NOT NULL,
    PRIMARY KEY (key, version)
);

-- Appends a version of a key; p_expected_version null = any. Returns conflict = true (and the actual version) instead of writing.
CREATE FUNCTION tk_put_config(p_key text, p_value json, p_actor text, p_expected_version bigint, p_at timestamptz)
RETURNS TABLE (conflict boolean, version bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_current bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7310003, hashtext(p_key));
    SELECT coalesce(max(c.version), 0) INTO v_current FROM config_store c WHERE c.key = p_key;
    IF p_expected_version IS NOT NULL AND p_expected_version <> v_current THEN
        RETURN QUERY SELECT true, v_current;
        RETURN;
    END IF;

    INSERT INTO config_store (key, version, value, actor, changed_at) VALUES (p_key, v_current + 1, p_value, p_actor, p_at);
    PERFORM pg_notify('tk_config', p_key);
    RETURN QUERY SELECT false, v_current + 1;
END
$$;

-- Proposals and approvals (seed 001): only the token's hash is stored; a token is used once.
CREATE TABLE proposals (
    proposal_id    uuid        PRIMARY KEY,
    sequence       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    payload        json        NOT NULL,
    status         text        NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'EXECUTED')),
    correlation_id uuid        NOT NULL,
    created_at     timestamptz NOT NULL,
    decided_by     text        NULL,
    decided_at     timestamptz NULL,
    reason         text        NULL
);

CREATE TABLE approvals (
    proposal_id uuid        PRIMARY KEY REFERENCES proposals (proposal_id),
    approver    text        NOT NULL,
    token_hash  text        NOT NULL UNIQUE,
    approved_at timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz NULL
);

-- Projections: derived from event_store, disposable, rebuilt after TRUNCATE.
CREATE TABLE orders (
    client_order_id     text        PRIMARY KEY,
    symbol              text        NOT NULL,
    side                text        NOT NULL,
    order_type          text        NOT NULL,
    quantity            numeric     NOT NULL,
    price               numeric     NULL,
    status              text        NOT NULL,
    filled_quantity     numeric     NOT NULL,
    average_fill_price  numeric     NULL,
    venue_order_id      text        NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    last_event_position bigint      NOT NULL
);
CREATE INDEX orders_symbol_ix ON orders (symbol);

CREATE TABLE fills (
    trade_id        text        PRIMARY KEY,
    client_order_id text        NOT NULL,
    symbol          text        NOT NULL,
    side            text        NOT NULL,
    quantity        numeric     NOT NULL,
    price           numeric     NOT NULL,
    fee             numeric     NOT NULL,
    fee_currency    text        NOT NULL,
    liquidity       text        NOT NULL,
    executed_at     timestamptz NOT NULL,
    event_position  bigint      NOT NULL
);
CREATE INDEX fills_client_order_id_ix ON fills (client_order_id);

CREATE TABLE positions (
    account_id          text        NOT NULL,
    symbol              text        NOT NULL,
    quantity            numeric     NOT NULL,
    average_entry_price numeric     NOT NULL,
    realized_pnl        numeric     NOT NULL,
    fees                numeric     NOT NULL,
    updated_at          timestamptz NOT NULL,
    last_event_position bigint      NOT NULL,
    PRIMARY KEY (account_id, symbol)
);

CREATE TABLE daily_summaries (
    account_id          text        NOT NULL,
    trading_date        date        NOT NULL,
    trades              integer     NOT NULL,
    wins                integer     NOT NULL,
    losses              integer     NOT NULL,
    realized_pnl        numeric     NOT NULL,
    fees                numeric     NOT NULL,
    max_loss            numeric     NOT NULL,
    max_drawdown        numeric     NOT NULL,
    updated_at          timestamptz NOT NULL,
    last_event_position bigint      NOT NULL,
    PRIMARY KEY (account_id, trading_date)
);

CREATE TABLE projection_checkpoints (
    projection text   PRIMARY KEY,
    position   bigint NOT NULL
);
