"""On PostgreSQL the database itself refuses two active bookings of one room whose [start, end) ranges overlap:
an exclusion constraint over (room =, tstzrange &&), which needs btree_gist for the equality on room_id. SQLite
has no such constraint; there the booking service serialises writers on the room row (`Room.version`)."""

from django.db import migrations

ACTIVE = ("pending", "approved", "checked_in")  # choices.ACTIVE_STATUSES, frozen as of this migration

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE facilities_booking ADD CONSTRAINT fac_booking_no_overlap
  EXCLUDE USING gist (room_id WITH =, tstzrange("start", "end", '[)') WITH &&)
  WHERE (status IN ({", ".join(f"'{s}'" for s in ACTIVE)}));
"""
DROP = "ALTER TABLE facilities_booking DROP CONSTRAINT IF EXISTS fac_booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("facilities", "0002_rooms_bookings")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
