-- Orders (docs/orders.md): what the agent needs to write each order to the ERP exactly once,
-- export each cancellation once, and hold ordered units against every store's stock until
-- the ERP shows them.
--
-- orders.transfer_state: waiting (not paid yet: reserved, never written), pending (to write),
-- failed (the last attempt failed; written again at next_at), done, skipped (the store does
-- not transfer, or the order was cancelled before any attempt).
ALTER TABLE orders ADD COLUMN raw_status TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN version TEXT NOT NULL DEFAULT '';   -- the marketplace's change marker (order.Order.Version)
ALTER TABLE orders ADD COLUMN total INTEGER NOT NULL DEFAULT 0;   -- kuruş, live lines
ALTER TABLE orders ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN lines INTEGER NOT NULL DEFAULT 0;   -- live lines
ALTER TABLE orders ADD COLUMN units INTEGER NOT NULL DEFAULT 0;   -- live units
-- The order as first sent to the ERP. Every retry sends exactly this version, so whatever
-- an interrupted attempt may have left in the ERP is the same order; later changes of the
-- marketplace reach the ERP as cancellations.
ALTER TABLE orders ADD COLUMN write_data TEXT NOT NULL DEFAULT '';
-- Cancellations after the write: cancel_state '', pending, failed or done; cancel_data the
-- cancellation being exported (JSON SKU → units, fixed when first attempted); cancelled the
-- units whose cancellation reached the ERP; cancel_seq numbers the exports of one order.
ALTER TABLE orders ADD COLUMN cancel_state TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN cancel_data TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN cancelled TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN cancel_seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_cancel ON orders (cancel_state, next_at) WHERE cancel_state IN ('pending', 'failed');
CREATE INDEX orders_number ON orders (order_number);
CREATE INDEX orders_seen ON orders (store, first_seen);

-- Units an imported order holds against the stock every store is shown (queue.Item.Reserved).
-- One row per order, SKU and warehouse; a row is released exactly once and then kept as
-- history. rule says what releases it besides a cancellation: erp_reading (the order was
-- written to the ERP, and a reading of the ERP begun after that shows the SKU) or shipped
-- (the marketplace reported the order shipped, and a reading begun after that shows the SKU).
-- ready_at is the moment after which such a reading releases it (0: not yet).
CREATE TABLE reservations (
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    sku         TEXT NOT NULL,
    warehouse   TEXT NOT NULL,
    qty         INTEGER NOT NULL,
    rule        TEXT NOT NULL,
    ready_at    INTEGER NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'held', -- held, released
    created_at  INTEGER NOT NULL,
    released_at INTEGER NOT NULL DEFAULT 0,
    released_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (order_id, sku, warehouse)
) WITHOUT ROWID;
-- Item loading sums the held rows of a batch's SKUs; a reading looks up held rows by key.
CREATE INDEX reservations_held ON reservations (sku, warehouse) WHERE state = 'held';
