-- SQL sources in snapshot mode: the last reading of every row key of each source, so that a
-- reading applies only what differs from the previous one and finds the keys that
-- disappeared. gen is the number of the reading that last saw the row (sql_readings.gen);
-- after a reading, the rows still carrying an older gen are the ones the query no longer
-- returns. Values are kept as such (not hashed) so that a dry run can show old → new.
CREATE TABLE sql_snapshot (
    source     TEXT NOT NULL,
    sku        TEXT NOT NULL,
    warehouse  TEXT NOT NULL,
    price_list TEXT NOT NULL,
    barcode    TEXT NOT NULL DEFAULT '',
    qty        INTEGER,          -- NULL: the query gives no quantity
    price      INTEGER,          -- kuruş; NULL: no price
    list_price INTEGER,          -- kuruş; NULL: no list price
    gen        INTEGER NOT NULL,
    PRIMARY KEY (source, sku, warehouse, price_list)
) WITHOUT ROWID;

-- Per SQL source: the number of its last committed reading and how many row keys that
-- reading left in sql_snapshot.
CREATE TABLE sql_readings (
    source  TEXT PRIMARY KEY,
    gen     INTEGER NOT NULL,
    rows    INTEGER NOT NULL DEFAULT 0,
    read_at INTEGER NOT NULL            -- unix ms
) WITHOUT ROWID;
