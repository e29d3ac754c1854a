-- payments.mismatch_amount, payments.mismatch_buy_order: what Webpay approved when its commit (or
-- status) answer does not match the payment (another amount or buy order). The payment is recorded
-- `rejected`, but the card may have been charged, so the owner is owed an alert: the payment keeps
-- `effects_done_at` null until that alert went out, and the payments cron retries it.
-- Null for every other payment.

ALTER TABLE payments ADD COLUMN mismatch_amount INTEGER;
ALTER TABLE payments ADD COLUMN mismatch_buy_order TEXT;
