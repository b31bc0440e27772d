"""The operator's console: dashboard + REST API (aiohttp), Prometheus metrics, apprise notifications and
Telegram commands, all reading a ports.console snapshot and asking its controls."""
