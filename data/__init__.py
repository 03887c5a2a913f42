"""The goals database: schema, migrations, demo generator and importers."""
