"""The agreement feature of the schema: templates, signatures, the internet-access register."""
