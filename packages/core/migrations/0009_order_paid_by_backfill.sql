-- orders.paid_by for the orders paid before migration 0006 named the payment: the authorized
-- payment of the order whose finalized_at is the order's paid_at (the batch that paid the order set
-- both to one time). Two such payments settled in the same millisecond cannot be told apart here;
-- the lowest buy order is taken, and the owner was already told of the other one as a payment to
-- return. An order paid with no matching payment (a lead opened without one keeps paid_at null)
-- keeps null: no payment pays it. After this, cotorro's visitStanding reads paid_by alone.

UPDATE orders SET paid_by = (
  SELECT p.buy_order FROM payments p
  WHERE p.order_id = orders.id AND p.status = 'authorized' AND p.finalized_at = orders.paid_at
  ORDER BY p.buy_order LIMIT 1
)
WHERE paid_at IS NOT NULL AND paid_by IS NULL;
