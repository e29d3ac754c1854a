-- inbound_events.pending: the message itself (JSON), kept only while its replies and notices are
-- sent after the webhook has answered (the webhook's waitUntil), which the runtime may cut off.
-- Cleared in the batch that marks the event processed, or once the message is handed to the
-- queue. A row still holding it after its lease is over was cut off: the five-minute cron hands
-- it to the queue (cotorro services/stranded-follow-ups.ts). The partial index keeps that look
-- to the few rows holding one.

ALTER TABLE inbound_events ADD COLUMN pending TEXT;
CREATE INDEX inbound_events_pending ON inbound_events (received_at) WHERE pending IS NOT NULL;
