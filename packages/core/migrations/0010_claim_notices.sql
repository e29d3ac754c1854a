-- claims.notices_at: when the claim's notices (the professional's contact to the customer, the
-- owner's notice, and after a claim on the canje page the customer's contact to the collaborator)
-- were sent, or handed to the queue, which retries them. Null while they are owed: a claim whose
-- request was cut off before that (a phone that dropped the page, the runtime stopped) is found by
-- cotorro's five-minute cron two minutes after it was made and handed to the queue
-- (services/stranded-follow-ups.ts). A claim made by a WhatsApp tap is written with it set: its
-- notices are the tap event's follow-ups, kept with its message. The claims made before this
-- migration had theirs sent.

ALTER TABLE claims ADD COLUMN notices_at INTEGER;
UPDATE claims SET notices_at = created_at;
CREATE INDEX claims_notices_owed ON claims (created_at) WHERE notices_at IS NULL;
