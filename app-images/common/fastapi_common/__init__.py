"""Shared building blocks of the fastapi-k8s services: settings, JSON logs with trace ids,
health probes, API-key authentication, resilient downstream calls and Prometheus metrics."""
