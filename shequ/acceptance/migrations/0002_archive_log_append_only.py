"""On PostgreSQL the 民生档案 access log refuses UPDATE and DELETE at the database level, like core_auditlog
(PIPL Art. 56: keep processing records at least 3 years; rows older than that may be purged)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION acceptance_archive_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.at < now() - interval '3 years' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'acceptance_archiveaccesslog is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER acceptance_archiveaccesslog_append_only BEFORE UPDATE OR DELETE ON acceptance_archiveaccesslog
    FOR EACH ROW EXECUTE FUNCTION acceptance_archive_log_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS acceptance_archiveaccesslog_append_only ON acceptance_archiveaccesslog;
DROP FUNCTION IF EXISTS acceptance_archive_log_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("acceptance", "0001_initial")]
    operations = [migrations.RunPython(forward, reverse)]
