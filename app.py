"""Entry point for `flask --app app ...` and for WSGI servers (`gunicorn app:app`)."""

import gc

from evaluation import create_app

app = create_app()
# What is loaded by now (the libraries and the app, about 170,000 objects) lives as long as the worker: kept
# out of the cyclic garbage collector, whose full passes over it stalled a worker for 80–110 ms every few
# hundred pages (docs/performance.md).
gc.freeze()
