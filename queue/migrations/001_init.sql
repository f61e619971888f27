-- The ERP's view of each item, as the sources last reported it. Quantities per warehouse
-- and prices per price list live in the item's own row (see queue/itemcodec.go for the
-- encoding), so recording a reading costs one row write per item instead of one per
-- warehouse and price list.
CREATE TABLE items (
    sku        TEXT PRIMARY KEY,
    barcode    TEXT NOT NULL DEFAULT '',
    stock      TEXT NOT NULL DEFAULT '',  -- warehouse → quantity
    prices     TEXT NOT NULL DEFAULT '',  -- price list → price, list price (kuruş)
    updated_at INTEGER NOT NULL           -- unix ms
) WITHOUT ROWID;

-- Per store and SKU: what the store should show (want_*, after the store's rules), what was
-- put in the in-flight request (sent_*), and what the marketplace last confirmed (conf_*).
-- A NULL want means "not pushed" (out of the store's scope or unknown); a NULL conf means
-- "unknown" (never confirmed, or a lost response). The row is dirty while a wanted value
-- differs from the confirmed one.
CREATE TABLE outbox (
    store        TEXT NOT NULL,
    sku          TEXT NOT NULL,
    barcode      TEXT NOT NULL DEFAULT '',
    want_qty     INTEGER,
    want_price   INTEGER,
    want_list    INTEGER,
    sent_qty     INTEGER,
    sent_price   INTEGER,
    sent_list    INTEGER,
    conf_qty     INTEGER,
    conf_price   INTEGER,
    conf_list    INTEGER,
    dirty        INTEGER GENERATED ALWAYS AS (
                   (want_qty IS NOT NULL AND want_qty IS NOT conf_qty) OR
                   (want_price IS NOT NULL AND want_price IS NOT conf_price) OR
                   (want_list IS NOT NULL AND want_list IS NOT conf_list)) STORED,
    state        TEXT NOT NULL DEFAULT 'ready', -- ready | leased | awaiting | dead
    lease_token  INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER NOT NULL DEFAULT 0,    -- ready: not before; leased: lease expiry; awaiting: next result check
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    batch_ref    TEXT NOT NULL DEFAULT '',      -- asynchronous marketplaces: the batch id awaiting a result
    sent_at      INTEGER NOT NULL DEFAULT 0,
    changed_at   INTEGER NOT NULL,              -- when want last changed
    confirmed_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (store, sku)
);
-- The claim query reads exactly this index (see claimSQL).
CREATE INDEX outbox_claim ON outbox (store, next_at) WHERE dirty = 1 AND state IN ('ready', 'leased');
CREATE INDEX outbox_awaiting ON outbox (store, batch_ref) WHERE state = 'awaiting';

CREATE TABLE dead_letters (
    id         INTEGER PRIMARY KEY,
    store      TEXT NOT NULL,
    sku        TEXT NOT NULL,
    qty        INTEGER,
    price      INTEGER,
    list_price INTEGER,
    attempts   INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX dead_letters_store ON dead_letters (store, at);

-- Every change to the ERP view: what changed, old → new, from which source.
-- Ids grow with time, so retention deletes by id range and needs no index on at.
CREATE TABLE journal (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    -- Every field one change altered, in the change's order: records "field␟old␟new"
    -- joined by ␞ (see queue/journalcodec.go). field is qty:<warehouse>, price:<list>,
    -- list_price:<list>, barcode or reserved:<warehouse>; an empty old or new is no value.
    -- One row per change, not per field: a first import of a large file writes a quarter
    -- of the rows.
    changes     TEXT NOT NULL,
    source_kind TEXT NOT NULL,   -- file, sql, order, manual
    source_ref  TEXT NOT NULL,   -- file name or source name
    source_row  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX journal_sku ON journal (sku, at);


CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    source      TEXT NOT NULL,
    file        TEXT NOT NULL,
    stored_as   TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,          -- processing, imported, failed
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0,
    rows_read   INTEGER NOT NULL DEFAULT 0,
    applied     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX imports_started ON imports (started_at);

-- Orders fetched from the stores, each stored once per store and marketplace id.
CREATE TABLE orders (
    id             INTEGER PRIMARY KEY,
    store          TEXT NOT NULL,
    marketplace_id TEXT NOT NULL,
    order_number   TEXT NOT NULL,
    status         TEXT NOT NULL,
    ordered_at     INTEGER NOT NULL,
    data           TEXT NOT NULL,           -- the normalized order as JSON
    first_seen     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    transfer_state TEXT NOT NULL DEFAULT 'pending', -- pending, done, failed, skipped
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_at        INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT '',
    transferred_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (store, marketplace_id)
);
CREATE INDEX orders_transfer ON orders (transfer_state, next_at);

-- Positions of incremental readers (order streams, SQL high-water marks, last job runs).
CREATE TABLE cursors (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Health of each component for the status command: "store:NAME", "source:NAME", "sink:NAME".
CREATE TABLE health (
    component TEXT PRIMARY KEY,
    state     TEXT NOT NULL DEFAULT '',
    ok_at     INTEGER NOT NULL DEFAULT 0,
    error     TEXT NOT NULL DEFAULT '',
    error_at  INTEGER NOT NULL DEFAULT 0,
    detail    TEXT NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- Per store: a fingerprint of the rules the desired state was computed with.
CREATE TABLE store_rules (
    store TEXT PRIMARY KEY,
    hash  TEXT NOT NULL,
    at    INTEGER NOT NULL
) WITHOUT ROWID;
