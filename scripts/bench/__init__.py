"""npm run bench: the project's performance against its baselines, measured side by side (docs/performance.md)."""
