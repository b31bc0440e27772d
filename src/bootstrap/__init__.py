"""Composition root: settings, logging, the container and the command line. The only place that names
concrete adapter classes."""
