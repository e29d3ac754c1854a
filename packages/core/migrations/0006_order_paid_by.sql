-- orders.paid_by: the buy order of the payment that paid the order (a visit's, or a lead's paid
-- through its link), set in the batch that authorizes that payment. When two payments of one order
-- are approved (two tabs), the one named here paid it and the other is the duplicate to refund
-- (cotorro visit-payment-hooks.ts `visitStanding`). Comparing the order's paid_at with each
-- payment's finalized_at could not tell apart two payments settled in the same millisecond. Null
-- for a lead the owner opened without a payment, and for orders paid before this migration.

ALTER TABLE orders ADD COLUMN paid_by TEXT;
