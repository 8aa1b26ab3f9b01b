"""The visitcoach web app: `python app.py` (or `make run`, `visitcoach serve`)."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from visitcoach.config import get_settings
from visitcoach.ui import build_demo, launch

demo = build_demo()

if __name__ == "__main__":
    settings = get_settings()
    launch(settings, port=settings.port, demo=demo)
