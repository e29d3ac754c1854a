-- claims.notices_owed: 1 while the notices of a claim made on the canje page (the professional's
-- contact to the customer, the owner's notice, the customer's contact to the collaborator) have
-- not been sent or handed to the queue, which retries them; null once they have. A page request
-- cut off before that (a phone that dropped the page, the runtime stopped) leaves it 1, and
-- cotorro's five-minute cron hands such claims to the queue two minutes after they were made
-- (services/stranded-follow-ups.ts). A tap's claim is never owed here: its notices are the tap
-- event's follow-ups, kept with its message. Null by default, so a claim written by code older
-- than this migration (or any existing one) is never taken for owed.

ALTER TABLE claims ADD COLUMN notices_owed INTEGER;
CREATE INDEX claims_notices_owed ON claims (created_at) WHERE notices_owed = 1;
