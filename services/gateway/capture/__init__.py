"""The capture feature of the schema: ingest, keyword library, moderation queue, screenshots."""
