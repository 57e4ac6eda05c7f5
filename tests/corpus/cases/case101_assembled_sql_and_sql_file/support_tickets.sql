-- Ticket features per subscriber, joined to the churn training table by the nightly job.
SELECT t.subscriber_id,
       COUNT(*) AS tickets_total,
       SUM(CASE WHEN t.severity = 'high' THEN 1 ELSE 0 END) AS tickets_high,
       CURRENT_DATE - MAX(t.opened_on) AS days_since_ticket
FROM support.tickets t
WHERE t.opened_on >= CURRENT_DATE - INTERVAL '1 year'
GROUP BY t.subscriber_id;
