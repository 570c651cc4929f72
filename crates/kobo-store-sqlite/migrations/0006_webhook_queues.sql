-- The two queues the webhook loops read, as small partial indexes: events
-- still to render (the freezer) and events still to send (the worker's claim,
-- which walks them in id order). Delivered and failed events leave both.
DROP INDEX webhook_event_unrendered;
CREATE INDEX webhook_event_unrendered ON webhook_event (webhook_event_id)
    WHERE payload IS NULL AND status = 'pending';
CREATE INDEX webhook_event_pending ON webhook_event (webhook_event_id)
    WHERE status = 'pending';
