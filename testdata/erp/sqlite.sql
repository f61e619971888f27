-- A sample ERP order schema for the SQL order sink (docs/orders.md), SQLite.
-- The unique key on (marketplace, order_number) is what makes a second write of an order
-- impossible: the sink takes a duplicate-key error on the header as "already written".
-- Cancellation rows are keyed by order, export number and SKU, so an export runs once.
CREATE TABLE erp_orders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    marketplace   VARCHAR(32)   NOT NULL,
    store         VARCHAR(64)   NOT NULL,
    order_number  VARCHAR(64)   NOT NULL,
    ordered_at    TEXT          NOT NULL,          -- the store's local time
    status        VARCHAR(16)   NOT NULL,
    customer_name VARCHAR(200)  NOT NULL,
    ship_city     VARCHAR(100)  NOT NULL,
    warehouse     VARCHAR(64)   NOT NULL,
    cargo_firm    VARCHAR(64)   NOT NULL,
    currency      CHAR(3)       NOT NULL,
    total         NUMERIC(14,2) NOT NULL,
    written_at    TEXT          NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT erp_orders_once UNIQUE (marketplace, order_number)
);
CREATE TABLE erp_order_lines (
    marketplace   VARCHAR(32)   NOT NULL,
    order_number  VARCHAR(64)   NOT NULL,
    line_no       INTEGER       NOT NULL,
    sku           VARCHAR(64)   NOT NULL,
    product_name  VARCHAR(200)  NOT NULL,
    quantity      INTEGER       NOT NULL CHECK (quantity > 0),
    unit_price    NUMERIC(14,2) NOT NULL,
    line_discount NUMERIC(14,2) NOT NULL,
    line_total    NUMERIC(14,2) NOT NULL,
    vat_rate      NUMERIC(5,2)  NOT NULL,
    PRIMARY KEY (marketplace, order_number, line_no)
);
CREATE TABLE erp_order_cancellations (
    marketplace   VARCHAR(32)   NOT NULL,
    order_number  VARCHAR(64)   NOT NULL,
    cancel_seq    INTEGER       NOT NULL,
    sku           VARCHAR(64)   NOT NULL,
    quantity      INTEGER       NOT NULL,
    cancelled_at  TEXT          NOT NULL,
    PRIMARY KEY (marketplace, order_number, cancel_seq, sku)
);
