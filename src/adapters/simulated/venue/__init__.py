"""A local Binance-compatible venue (aiohttp on 127.0.0.1) replaying recorded market data."""
