-- alerts.held_back: how many alerts of the slot were held back before the one last let out (the
-- count its text reports). Written by the statement that lets an alert out, which returns it, so
-- letting an alert out is one round trip.
--
-- owed_alerts: owner alerts WhatsApp refused (core owed-alert-store.ts). One row per alert slot
-- (`kind` or `kind:key`), holding the latest refused text, until it is delivered (deleted) or the
-- owner dismisses it with `pnpm ops alerts dismiss`. The alerts cron tries each again when
-- `next_try_at` comes, on the collaborators' number and then on the customers'.

ALTER TABLE alerts ADD COLUMN held_back INTEGER NOT NULL DEFAULT 0;

CREATE TABLE owed_alerts (
  slot        TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  text        TEXT NOT NULL,
  failed_at   INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 1,
  last_error  TEXT,
  next_try_at INTEGER NOT NULL
);
CREATE INDEX owed_alerts_due ON owed_alerts (next_try_at);
