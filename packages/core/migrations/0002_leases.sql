-- Leases for work that must happen once even when two workers race for it.
-- dispatches.lease_until: an offer being sent right now (queue deliveries are at-least-once).
-- inbound_events.lease_until: a webhook event being handled right now (Meta redelivers).
-- Both are cleared when the work is done or has failed, so a retry can take over at once.

ALTER TABLE dispatches ADD COLUMN lease_until INTEGER;
ALTER TABLE inbound_events ADD COLUMN lease_until INTEGER;
