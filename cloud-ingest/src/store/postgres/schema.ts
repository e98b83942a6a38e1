/**
 * The PostgreSQL schema, the same tables as the SQLite store's migrations 1–9 in their final shape,
 * with three differences:
 * - `events` is partitioned by month of `received_at` (partitions.ts), so retention drops whole
 *   partitions. A unique key on a partitioned table must contain the partition key, so the
 *   (gateway, seq) dedupe key lives in the narrow, unpartitioned `event_keys`.
 * - Key text columns are `COLLATE "C"`: the count timeline compares keys in JavaScript
 *   (`compareKeys`) and in SQL, and both must order gateway ids bytewise, as SQLite's BINARY does.
 * - Summary records get ids from a sequence under a lock (outbox-table.ts).
 */
export const SCHEMA_V1 = `
  CREATE TABLE events (
    gateway text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    id text NOT NULL,
    type text NOT NULL,
    site text COLLATE "C" NOT NULL,
    occurred_at bigint NOT NULL,
    received_at bigint NOT NULL,
    unknown_source boolean NOT NULL DEFAULT false,
    body text NOT NULL,
    t bigint NOT NULL,
    clock_boot text,
    clock_base bigint,
    clock_wall bigint
  ) PARTITION BY RANGE (received_at);
  CREATE INDEX events_gateway_seq ON events (gateway, seq);
  CREATE INDEX events_clock ON events (gateway, clock_boot, clock_base) WHERE clock_boot IS NOT NULL;
  CREATE INDEX events_gateway_gaps ON events (gateway, seq) WHERE type = 'gateway.gap';

  CREATE TABLE event_keys (
    gateway text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    id text NOT NULL,
    received_at bigint NOT NULL,
    PRIMARY KEY (gateway, seq)
  );
  CREATE INDEX event_keys_received_at ON event_keys (received_at);

  CREATE TABLE rejected (
    id bigserial PRIMARY KEY,
    received_at bigint NOT NULL,
    gateway text,
    topic text NOT NULL,
    event_index integer,
    reason text NOT NULL,
    excerpt text NOT NULL
  );
  CREATE INDEX rejected_received_at ON rejected (received_at);

  CREATE TABLE gateways (
    id text COLLATE "C" PRIMARY KEY,
    site text,
    online boolean,
    last_seen bigint NOT NULL,
    status_at bigint,
    version text,
    boot_id text,
    uptime_ms bigint,
    backlog bigint,
    oldest_pending_at bigint,
    dropped bigint,
    events bigint NOT NULL DEFAULT 0,
    duplicates bigint NOT NULL DEFAULT 0,
    unknown_source bigint NOT NULL DEFAULT 0,
    rejected bigint NOT NULL DEFAULT 0
  );

  CREATE TABLE count_timeline (
    site text COLLATE "C" NOT NULL,
    space text COLLATE "C" NOT NULL,
    source text COLLATE "C" NOT NULL,
    t bigint NOT NULL,
    gateway text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    delta bigint NOT NULL,
    cum bigint NOT NULL,
    PRIMARY KEY (site, space, source, t, gateway, seq)
  );

  CREATE TABLE count_heads (
    site text COLLATE "C" NOT NULL,
    space text COLLATE "C" NOT NULL,
    source text COLLATE "C" NOT NULL,
    count bigint NOT NULL,
    updated_at bigint NOT NULL,
    PRIMARY KEY (site, space, source)
  );

  CREATE TABLE slot_states (
    site text COLLATE "C" NOT NULL,
    slot text COLLATE "C" NOT NULL,
    t bigint NOT NULL,
    gateway text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    occupied boolean NOT NULL,
    PRIMARY KEY (site, slot, t, gateway, seq)
  );
  CREATE INDEX slot_states_by_state ON slot_states (site, slot, occupied, t, gateway, seq);

  CREATE TABLE session_reads (
    gateway text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    site text COLLATE "C" NOT NULL,
    plate_key text COLLATE "C" NOT NULL,
    kind text NOT NULL,
    plate text NOT NULL,
    lane text NOT NULL,
    at bigint NOT NULL,
    PRIMARY KEY (gateway, seq)
  );
  CREATE INDEX session_reads_group ON session_reads (site, plate_key);

  CREATE TABLE sessions (
    id text COLLATE "C" PRIMARY KEY,
    site text COLLATE "C" NOT NULL,
    plate_key text COLLATE "C" NOT NULL,
    status text NOT NULL,
    plate text NOT NULL,
    exit_plate text,
    started_at bigint NOT NULL,
    entry_at bigint,
    exit_at bigint,
    entry_gateway text,
    entry_seq bigint,
    entry_lane text,
    exit_gateway text,
    exit_seq bigint,
    exit_lane text,
    matched_by text,
    duration_s bigint,
    fee double precision,
    currency text,
    last_record_id bigint,
    updated_at bigint NOT NULL
  );
  CREATE INDEX sessions_group ON sessions (site, plate_key);
  CREATE INDEX sessions_site_start ON sessions (site, started_at, id);
  CREATE INDEX sessions_site_status_start ON sessions (site, status, started_at, id);

  CREATE TABLE outbox (
    record_id bigserial PRIMARY KEY,
    session_id text NOT NULL,
    recorded_at bigint NOT NULL,
    body text NOT NULL
  );

  CREATE TABLE outbox_cursors (
    sink text PRIMARY KEY,
    delivered_through bigint NOT NULL,
    updated_at bigint NOT NULL
  );

  CREATE TABLE clock_anchors (
    gateway text COLLATE "C" NOT NULL,
    boot_id text COLLATE "C" NOT NULL,
    base bigint NOT NULL,
    best_received_at bigint NOT NULL,
    best_uptime_ms bigint NOT NULL,
    latest_sent_at bigint NOT NULL,
    latest_uptime_ms bigint NOT NULL,
    last_received_at bigint NOT NULL,
    envelopes bigint NOT NULL,
    dirty boolean NOT NULL DEFAULT false,
    PRIMARY KEY (gateway, boot_id)
  );
`;
