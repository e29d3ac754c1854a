-- orders.paid_by for the orders paid before migration 0006 named the payment: the authorized
-- payment of the order whose finalized_at is the order's paid_at (the batch that paid the order set
-- both to one time). An order paid with no matching payment keeps null: no payment pays it. After
-- this, cotorro's visitStanding reads paid_by alone.
-- Two payments of one order settled in the same millisecond cannot be told apart: the lowest buy
-- order is taken. Before 0006 both counted as paying the order, so the owner was told of neither as
-- a duplicate to return. On data paid before 0006, list them (the query reads payments only, so
-- it answers the same after this migration; one row per order charged twice, to refund one):
--   SELECT order_id, group_concat(buy_order) FROM payments
--   WHERE purpose = 'visit' AND status = 'authorized' GROUP BY order_id, finalized_at HAVING count(*) > 1;

UPDATE orders SET paid_by = (
  SELECT p.buy_order FROM payments p
  WHERE p.order_id = orders.id AND p.status = 'authorized' AND p.finalized_at = orders.paid_at
  ORDER BY p.buy_order LIMIT 1
)
WHERE paid_at IS NOT NULL AND paid_by IS NULL;
