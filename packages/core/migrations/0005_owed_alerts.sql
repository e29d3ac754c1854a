-- alerts.held_back: how many alerts of the slot were held back before the one last let out (the
-- count its text reports). Written by the statement that lets an alert out, which returns it, so
-- letting an alert out is one round trip.
--
-- owed_alerts: what the owner is owed (core owed-alert-store.ts): alerts WhatsApp refused, and
-- alerts written for the crons to send (a customer's notice WhatsApp could not deliver). One row
-- per distinct text of an alert slot (`kind` or `kind:key`): the same text refused again is one
-- row. Deleted once delivered, or when the owner dismisses it with `pnpm ops alerts dismiss`.
-- cotorro's crons send each when `next_try_at` comes, on the collaborators' number and then on the
-- customers'. `since`: when the owner should have heard it (refused then, or written then);
-- `attempts` 0: never tried yet; `next_try_at` null: no longer tried (a week after `since`).

ALTER TABLE alerts ADD COLUMN held_back INTEGER NOT NULL DEFAULT 0;

CREATE TABLE owed_alerts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  slot        TEXT NOT NULL,
  kind        TEXT NOT NULL,
  text        TEXT NOT NULL,
  since       INTEGER NOT NULL,
  attempts    INTEGER NOT NULL DEFAULT 1,
  last_error  TEXT,
  next_try_at INTEGER,
  UNIQUE (slot, text)
);
CREATE INDEX owed_alerts_due ON owed_alerts (next_try_at);
