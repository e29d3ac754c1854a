-- payments.job_link: for a top-up made to take a job (from the "sin tokens" reply or the job's page),
-- that job's signed canje link token, so that "Recarga exitosa" can lead straight back to it.
-- Null for every other payment.

ALTER TABLE payments ADD COLUMN job_link TEXT;
