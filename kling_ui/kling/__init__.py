"""Everything that speaks Kling's HTTP API: auth, models, errors, the client."""
