-- LEDGER: everything that changes under concurrency or must be counted.
-- Documented in packages/core/src/storage-schema.md. Times are epoch milliseconds (UTC).

CREATE TABLE orders (
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL CHECK (kind IN ('visit', 'lead')),
  status        TEXT NOT NULL CHECK (status IN ('pending_payment', 'lead', 'paid', 'taken', 'expired', 'cancelled')),
  amount        INTEGER NOT NULL CHECK (amount >= 0),
  comuna        TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  paid_at       INTEGER,
  dispatched_at INTEGER,
  expires_at    INTEGER,
  taken_at      INTEGER
);
CREATE INDEX orders_status_expires ON orders (status, expires_at);

CREATE TABLE payments (
  buy_order          TEXT PRIMARY KEY,
  purpose            TEXT NOT NULL CHECK (purpose IN ('visit', 'topup')),
  order_id           TEXT,
  phone              TEXT,
  tokens             INTEGER,
  amount             INTEGER NOT NULL CHECK (amount > 0),
  session_id         TEXT NOT NULL,
  token              TEXT UNIQUE,
  status             TEXT NOT NULL CHECK (status IN ('creating', 'created', 'authorized', 'rejected', 'aborted', 'timed_out', 'failed')),
  card_last4         TEXT,
  authorization_code TEXT,
  response_code      INTEGER,
  transaction_date   TEXT,
  detail             TEXT,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  finalized_at       INTEGER,
  effects_done_at    INTEGER
);
CREATE INDEX payments_status_created ON payments (status, created_at);
CREATE INDEX payments_order ON payments (order_id);
CREATE INDEX payments_phone ON payments (phone);

CREATE TABLE tokens (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  phone          TEXT NOT NULL,
  source         TEXT NOT NULL CHECK (source IN ('purchase', 'promo', 'legacy', 'refund')),
  source_ref     TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  spent_at       INTEGER,
  spent_order_id TEXT,
  UNIQUE (source, source_ref, seq)
);
CREATE INDEX tokens_wallet ON tokens (phone, spent_at, expires_at);

CREATE TABLE claims (
  order_id   TEXT NOT NULL,
  phone      TEXT NOT NULL,
  token_id   INTEGER NOT NULL UNIQUE,
  claim_ref  TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (order_id, phone)
);

CREATE TABLE dispatches (
  order_id   TEXT NOT NULL,
  phone      TEXT NOT NULL,
  message_id TEXT UNIQUE,
  status     TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'delivered', 'read', 'failed', 'undeliverable', 'dead')),
  attempts   INTEGER NOT NULL DEFAULT 0,
  error_code INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (order_id, phone)
);

CREATE TABLE inbound_events (
  id           TEXT PRIMARY KEY,
  received_at  INTEGER NOT NULL,
  processed_at INTEGER
);

CREATE TABLE conversations (
  phone           TEXT NOT NULL,
  channel         TEXT NOT NULL CHECK (channel IN ('customers', 'collaborators')),
  last_inbound_at INTEGER NOT NULL,
  PRIMARY KEY (phone, channel)
);

CREATE TABLE effects (
  key         TEXT PRIMARY KEY,
  status      TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  lease_until INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE alerts (
  kind         TEXT PRIMARY KEY,
  last_sent_at INTEGER NOT NULL,
  suppressed   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  at      INTEGER NOT NULL,
  actor   TEXT NOT NULL,
  action  TEXT NOT NULL,
  subject TEXT NOT NULL,
  reason  TEXT,
  data    TEXT
);
CREATE INDEX audit_subject ON audit_log (subject, at);
