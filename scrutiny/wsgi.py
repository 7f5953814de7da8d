import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scrutiny.settings")

application = get_wsgi_application()

# What starting made (settings, models, URL maps) lives as long as the process: moved out of
# the garbage collector's way, every later collection is cheaper, which shortens the slowest
# requests (the pages' p95 in `manage.py bench pages`).
gc.freeze()
