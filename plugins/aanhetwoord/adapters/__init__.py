"""Adapters map the core onto a site engine. Each one is thin: engine events in, core calls out."""
