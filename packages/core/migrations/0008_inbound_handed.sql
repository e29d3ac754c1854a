-- inbound_events.handed_at: when the stranded sweep (cotorro services/stranded-follow-ups.ts) last
-- handed the event's kept message to the queue. The sweep takes an event again only two minutes
-- after that, so two runs at once hand it over once; and it clears `pending` only after the
-- queue has accepted the message, so a run cut off in between loses nothing: the next run finds
-- the event again.

ALTER TABLE inbound_events ADD COLUMN handed_at INTEGER;
