-- PostgreSQL schema version 7: several nodes on one database. A run that becomes `pending`
-- with no lease notifies the schema's channel when its transaction commits, so idle nodes
-- (`LISTEN`) wake and claim it instead of polling. The channel name is derived from the
-- schema, so schemas side by side in one database never wake each other.
-- Versions 3 to 6 belong to other changes; the runner applies every version a database lacks.

CREATE FUNCTION sop_notify_ready() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sop_ready_' || left(md5(current_schema()), 16), '');
    RETURN NULL;
END
$$;

CREATE TRIGGER runs_ready AFTER INSERT OR UPDATE OF status, lease_owner ON runs
    FOR EACH ROW WHEN (NEW.status = 'pending' AND NEW.lease_owner IS NULL)
    EXECUTE FUNCTION sop_notify_ready();
